//! Row-level security in SQL: `ENABLE` / `DISABLE ROW LEVEL SECURITY`, `CREATE POLICY`,
//! `ALTER POLICY` (roles, `USING`, `WITH CHECK`, rename) and `DROP POLICY` where
//! `Dialect::supports_row_level_security`, and the refusal of `#[table(rls)]` and
//! `#[policy(..)]` elsewhere, naming the struct and the attribute.

use super::{Dialect, RenderError};
use crate::def::TableDef;
use crate::diff::{Change, QualifiedName};
use crate::model::{Policy, Table};
use crate::resolve::ResolveError;

/// The statements of a row-level security change; `None` for any other change.
pub fn statements<D: Dialect + ?Sized>(
    d: &D,
    change: &Change,
) -> Option<Result<Vec<String>, RenderError>> {
    let table = change.table()?;
    let sql = match change {
        Change::EnableRls { .. } => rls(d, &table, "ENABLE"),
        Change::DisableRls { .. } => rls(d, &table, "DISABLE"),
        Change::CreatePolicy { policy, .. } => create(d, &table, policy),
        Change::DropPolicy { policy, .. } => format!(
            "DROP POLICY {} ON {};",
            d.quote(&policy.name),
            d.qualified(&table)
        ),
        Change::AlterPolicy { from, to, .. } => alter(d, &table, from, to),
        Change::RenamePolicy { from, to, .. } => format!(
            "ALTER POLICY {} ON {} RENAME TO {};",
            d.quote(from),
            d.qualified(&table),
            d.quote(to)
        ),
        _ => return None,
    };
    if !d.supports_row_level_security() {
        return Some(Err(RenderError::Unsupported {
            dialect: d.name(),
            what: format!("row-level security on table {table}"),
            hint: "remove `rls` and `#[policy(..)]` from the struct".to_string(),
        }));
    }
    Some(Ok(vec![sql]))
}

fn rls<D: Dialect + ?Sized>(d: &D, table: &QualifiedName, what: &str) -> String {
    format!(
        "ALTER TABLE {} {what} ROW LEVEL SECURITY;",
        d.qualified(table)
    )
}

/// `CREATE POLICY "own_rows" ON "public"."notes" AS PERMISSIVE FOR SELECT TO "app_user"
/// USING (owner = current_user);`
fn create<D: Dialect + ?Sized>(d: &D, table: &QualifiedName, p: &Policy) -> String {
    let mut sql = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        d.quote(&p.name),
        d.qualified(table),
        if p.restrictive {
            "RESTRICTIVE"
        } else {
            "PERMISSIVE"
        },
        p.command.keyword(),
        roles(d, &p.roles)
    );
    if let Some(using) = &p.using {
        sql.push_str(&format!(" USING ({using})"));
    }
    if let Some(check) = &p.with_check {
        sql.push_str(&format!(" WITH CHECK ({check})"));
    }
    sql.push(';');
    sql
}

/// `ALTER POLICY "own_rows" ON "public"."notes" TO "auditor" USING (...);`: the clauses that
/// differ.
fn alter<D: Dialect + ?Sized>(d: &D, table: &QualifiedName, from: &Policy, to: &Policy) -> String {
    let mut sql = format!(
        "ALTER POLICY {} ON {}",
        d.quote(&to.name),
        d.qualified(table)
    );
    if from.roles != to.roles {
        sql.push_str(&format!(" TO {}", roles(d, &to.roles)));
    }
    if let (true, Some(using)) = (from.using != to.using, &to.using) {
        sql.push_str(&format!(" USING ({using})"));
    }
    if let (true, Some(check)) = (from.with_check != to.with_check, &to.with_check) {
        sql.push_str(&format!(" WITH CHECK ({check})"));
    }
    sql.push(';');
    sql
}

/// `PUBLIC` for no roles; each role quoted, except the keywords PostgreSQL reads as the
/// session's roles.
fn roles<D: Dialect + ?Sized>(d: &D, roles: &[String]) -> String {
    if roles.is_empty() {
        return "PUBLIC".to_string();
    }
    let one = |r: &String| match r.to_lowercase().as_str() {
        "current_user" | "current_role" | "session_user" => r.to_uppercase(),
        _ => d.quote(r),
    };
    roles.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// The errors of `table`'s `rls` and policies where `dialect` has no row-level security,
/// naming the struct (from `def`, the table when unknown) and the attribute.
pub(crate) fn refuse<D: Dialect + ?Sized>(
    dialect: &D,
    table: &Table,
    def: Option<&TableDef>,
) -> Vec<ResolveError> {
    if dialect.supports_row_level_security() {
        return Vec::new();
    }
    let rust_name = def.map_or_else(|| table.name.clone(), |d| d.rust_name.clone());
    let error = |message: String| ResolveError {
        rust_name: rust_name.clone(),
        field: None,
        message,
    };
    let mut errors = Vec::new();
    if table.rls {
        errors.push(error(format!(
            "#[table(rls)] on table `{}`: {} has no row-level security (it is PostgreSQL only); remove `rls` from #[table(..)]",
            table.name,
            dialect.name()
        )));
    }
    for p in &table.policies {
        errors.push(error(format!(
            "#[policy(name = \"{}\")] on table `{}`: {} has no row-level security policies (they are PostgreSQL only); remove the #[policy(..)]",
            p.name,
            table.name,
            dialect.name()
        )));
    }
    errors
}
