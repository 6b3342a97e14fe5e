//! Row-level security from the catalog: `pg_class.relrowsecurity` and `pg_policy` (its
//! command, `polpermissive`, the role names of `polroles`, where `0` is `PUBLIC`, and its
//! expressions through `pg_get_expr`, verbatim, compared as checks are).

use super::SYSTEM_SCHEMAS;
use schema_core::model::{Policy, PolicyCommand, Schema};
use sqlx::{PgConnection, Row};

/// Sets `rls` and the policies of the tables already in `schema`.
pub(super) async fn policies(
    conn: &mut PgConnection,
    schema: &mut Schema,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relrowsecurity AND {SYSTEM_SCHEMAS}"
    );
    for row in sqlx::query(&sql).fetch_all(&mut *conn).await? {
        let key = Schema::key(&row.try_get::<String, _>(0)?, &row.try_get::<String, _>(1)?);
        if let Some(table) = schema.tables.get_mut(&key) {
            table.rls = true;
        }
    }
    let sql = format!(
        "SELECT n.nspname, c.relname, p.polname, p.polpermissive, p.polcmd::text, \
                coalesce((SELECT array_agg(r.rolname::text ORDER BY r.rolname) FROM pg_roles r \
                          WHERE r.oid = ANY (p.polroles)), ARRAY[]::text[]), \
                pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid) \
         FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE {SYSTEM_SCHEMAS} ORDER BY n.nspname, c.relname, p.polname"
    );
    for row in sqlx::query(&sql).fetch_all(conn).await? {
        let key = Schema::key(&row.try_get::<String, _>(0)?, &row.try_get::<String, _>(1)?);
        let command = match row.try_get::<String, _>(4)?.as_str() {
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            _ => PolicyCommand::All,
        };
        let policy = Policy {
            name: row.try_get(2)?,
            restrictive: !row.try_get::<bool, _>(3)?,
            command,
            roles: row.try_get(5)?,
            using: row.try_get(6)?,
            with_check: row.try_get(7)?,
            renamed_from: None,
        };
        if let Some(table) = schema.tables.get_mut(&key) {
            table.policies.push(policy);
        }
    }
    Ok(())
}
