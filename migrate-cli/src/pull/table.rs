//! One table's source file: a `#[derive(Table)]` struct with every attribute its columns,
//! keys, indexes, checks, foreign keys and policies need, and a comment for each part the
//! attribute language cannot say (or the writer cannot give back).

use super::attrs::{column_kind_attrs, index_parts, key_text, nextval_sequence};
use super::names::literal;
use super::plan::{Plan, TablePlan};
use super::LeftOut;
use crate::config::Dialect;
use schema_core::model::{Column, FkAction, ForeignKey, Table};
use schema_core::naming;
use std::collections::BTreeSet;

/// The source of `table` and what it leaves out; `notes` are left-outs found elsewhere
/// (triggers, say), written as comments above the struct.
pub fn table_source(plan: &Plan, table: &Table, notes: &[LeftOut]) -> (String, Vec<LeftOut>) {
    let me = &plan.tables[&table.key()];
    let mut w = Writer {
        plan,
        table,
        me,
        left_out: Vec::new(),
        uses: BTreeSet::new(),
    };
    let mut attrs = vec![w.table_attr()];
    attrs.extend(w.primary_key_attr());
    attrs.extend(w.uniques());
    attrs.extend(w.indexes());
    attrs.extend(w.checks());
    let (field_refs, fk_attrs) = w.foreign_keys();
    attrs.extend(fk_attrs);
    attrs.extend(w.policies());
    let fields = w.fields(&field_refs);
    let mut out = format!("//! Table `{}`, written by migrate-cli.\n\n", w.qualified());
    out.push_str("use schema_macros::Table;\n");
    for u in &w.uses {
        out.push_str(&format!("use {u};\n"));
    }
    out.push('\n');
    let found = std::mem::take(&mut w.left_out);
    for l in notes.iter().chain(&found) {
        out.push_str(&format!("// left out: {}: {}\n", l.object, l.why));
    }
    out.push_str("#[derive(Table)]\n");
    for a in attrs {
        out.push_str(&a);
        out.push('\n');
    }
    out.push_str(&format!("pub struct {} {{\n{fields}}}\n", me.rust));
    (out, found)
}

struct Writer<'a> {
    plan: &'a Plan,
    table: &'a Table,
    me: &'a TablePlan,
    left_out: Vec<LeftOut>,
    /// `use` paths the file needs (`super::user::User`).
    uses: BTreeSet<String>,
}

impl Writer<'_> {
    fn leave_out(&mut self, what: String, why: impl Into<String>) {
        self.left_out.push(LeftOut {
            object: what,
            why: why.into(),
            table: Some(self.table.key()),
        });
    }

    fn qualified(&self) -> String {
        match self.plan.dialect {
            Dialect::Postgres => format!("{}.{}", self.table.schema, self.table.name),
            _ => self.table.name.clone(),
        }
    }

    /// The field of each column, or `None` (and a left-out entry) when one has no field.
    fn fields_of(&mut self, columns: &[String], what: &str) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for c in columns {
            match self.me.field(c) {
                Some(f) if f.ty.is_ok() => out.push(f.field.clone()),
                _ => {
                    let object = format!("{what} on table `{}`", self.qualified());
                    self.leave_out(object, format!("its column `{c}` is left out"));
                    return None;
                }
            }
        }
        Some(out)
    }

    fn table_attr(&self) -> String {
        let mut parts = vec![format!("name = {}", literal(&self.table.name))];
        if self.table.schema != "public" {
            parts.push(format!("schema = {}", literal(&self.table.schema)));
        }
        if self.table.rls {
            parts.push("rls".into());
        }
        format!("#[table({})]", parts.join(", "))
    }

    /// A single-column key with the default name goes on its field; anything else here.
    fn primary_key_attr(&mut self) -> Option<String> {
        let pk = self.table.primary_key.as_ref()?;
        if self.pk_on_field().is_some() {
            return None;
        }
        let fields = self.fields_of(&pk.columns, "the primary key")?;
        let mut parts = fields;
        if self.plan.dialect != Dialect::Mysql && pk.name != naming::primary_key(&self.table.name) {
            parts.push(format!("name = {}", literal(&pk.name)));
        }
        Some(format!("#[primary_key({})]", parts.join(", ")))
    }

    fn pk_on_field(&self) -> Option<&str> {
        let pk = self.table.primary_key.as_ref()?;
        let default =
            self.plan.dialect == Dialect::Mysql || pk.name == naming::primary_key(&self.table.name);
        match pk.columns.as_slice() {
            [one] if default => Some(one),
            _ => None,
        }
    }

    fn uniques(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for u in &self.table.uniques {
            if self.unique_on_field(&u.columns, &u.name, u.nulls_not_distinct) {
                continue;
            }
            let what = format!("unique key `{}`", u.name);
            let Some(fields) = self.fields_of(&u.columns, &what) else {
                continue;
            };
            let mut parts = vec![
                format!("columns({})", fields.join(", ")),
                format!("name = {}", literal(&u.name)),
            ];
            if u.nulls_not_distinct {
                parts.push("nulls_not_distinct".into());
            }
            out.push(format!("#[unique({})]", parts.join(", ")));
        }
        out
    }

    fn unique_on_field(&self, columns: &[String], name: &str, nnd: bool) -> bool {
        matches!(columns, [c] if !nnd && name == naming::unique(&self.table.name, columns)
            && self.me.field(c).is_some_and(|f| f.ty.is_ok()))
    }

    fn indexes(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for index in &self.table.indexes {
            let keys = match index.keys.is_empty() {
                true => {
                    let what = format!("index `{}`", index.name);
                    let Some(fields) = self.fields_of(&index.columns, &what) else {
                        continue;
                    };
                    format!("columns({})", fields.join(", "))
                }
                false => {
                    let keys: Vec<String> =
                        index.keys.iter().map(|k| literal(&key_text(k))).collect();
                    format!("keys({})", keys.join(", "))
                }
            };
            out.push(format!("#[index({})]", index_parts(index, keys).join(", ")));
        }
        out
    }

    fn checks(&mut self) -> Vec<String> {
        self.table
            .checks
            .iter()
            .filter(|c| !self.me.enum_checks.contains(&c.name))
            .map(|c| {
                format!(
                    "#[check(name = {}, expr = {})]",
                    literal(&c.name),
                    literal(&c.expr)
                )
            })
            .collect()
    }

    /// Field-level references (by column) and the struct-level `#[foreign_key]`s.
    fn foreign_keys(&mut self) -> (Vec<(String, String)>, Vec<String>) {
        let (mut on_fields, mut attrs) = (Vec::new(), Vec::new());
        for fk in &self.table.foreign_keys {
            let what = format!("foreign key `{}`", fk.name);
            let Some((target, ref_fields)) = self.target(fk, &what) else {
                continue;
            };
            let Some(fields) = self.fields_of(&fk.columns, &what) else {
                continue;
            };
            let mut actions = Vec::new();
            for (key, action) in [("on_delete", fk.on_delete), ("on_update", fk.on_update)] {
                if action != FkAction::NoAction {
                    actions.push(format!("{key} = {}", literal(&action.sql().to_lowercase())));
                }
            }
            let default_name = naming::foreign_key(&self.table.name, &fk.columns);
            if fields.len() == 1 && fk.name == default_name {
                let mut parts = vec![format!("references = {target}::{}", ref_fields[0])];
                parts.extend(actions);
                on_fields.push((fk.columns[0].clone(), parts.join(", ")));
                continue;
            }
            let mut parts = vec![
                format!("columns({})", fields.join(", ")),
                format!("references = {target}"),
                format!("ref_columns({})", ref_fields.join(", ")),
                format!("name = {}", literal(&fk.name)),
            ];
            parts.extend(actions);
            attrs.push(format!("#[foreign_key({})]", parts.join(", ")));
        }
        (on_fields, attrs)
    }

    /// The referenced struct (imported) and its fields, when they are pulled and their types
    /// match the referencing fields' (the derive checks that they do).
    fn target(&mut self, fk: &ForeignKey, what: &str) -> Option<(String, Vec<String>)> {
        let key = schema_core::Schema::key(&fk.ref_schema, &fk.ref_table);
        let key = match self.plan.tables.contains_key(&key) {
            true => key,
            false => schema_core::Schema::key("public", &fk.ref_table),
        };
        let object = format!("{what} on table `{}`", self.qualified());
        let Some(target) = self.plan.tables.get(&key) else {
            self.leave_out(
                object,
                format!("the table it references, `{}`, is not pulled", fk.ref_table),
            );
            return None;
        };
        let mut fields = Vec::new();
        for (c, r) in fk.columns.iter().zip(&fk.ref_columns) {
            let (Some(mine), Some(theirs)) = (self.me.field(c), target.field(r)) else {
                self.leave_out(
                    object,
                    format!("column `{c}` or `{}.{r}` is not read", fk.ref_table),
                );
                return None;
            };
            let same = matches!((&mine.ty, &theirs.ty), (Ok(a), Ok(b)) if a.rust == b.rust);
            if !same {
                self.leave_out(object, format!(
                    "`{c}` and `{}.{r}` have different types, which the derive refuses in a foreign key",
                    fk.ref_table
                ));
                return None;
            }
            fields.push(theirs.field.clone());
        }
        if target.module != self.me.module {
            self.uses
                .insert(format!("super::{}::{}", target.module, target.rust));
        }
        Some((target.rust.clone(), fields))
    }

    /// The `#[policy(..)]`s; none when row-level security is off, since PostgreSQL then
    /// ignores the policies and the attribute language declares them only with `rls`.
    fn policies(&mut self) -> Vec<String> {
        if !self.table.rls {
            for p in &self.table.policies {
                self.leave_out(
                    format!("policy `{}` on table `{}`", p.name, self.qualified()),
                    "row-level security is off on the table, so PostgreSQL ignores the policy, and #[policy] needs #[table(rls)]; enable it (ALTER TABLE .. ENABLE ROW LEVEL SECURITY) and pull again, or drop the policy",
                );
            }
            return Vec::new();
        }
        self.table
            .policies
            .iter()
            .map(|p| {
                let mut parts = vec![format!("name = {}", literal(&p.name))];
                if p.restrictive {
                    parts.push("as = \"restrictive\"".into());
                }
                if p.command != Default::default() {
                    parts.push(format!(
                        "for = {}",
                        literal(&p.command.keyword().to_lowercase())
                    ));
                }
                if !p.roles.is_empty() {
                    parts.push(format!("to = {}", literal(&p.roles.join(", "))));
                }
                if let Some(using) = &p.using {
                    parts.push(format!("using = {}", literal(using)));
                }
                if let Some(check) = &p.with_check {
                    parts.push(format!("with_check = {}", literal(check)));
                }
                format!("#[policy({})]", parts.join(", "))
            })
            .collect()
    }

    /// Every field, with its `#[column(..)]`; a column without a Rust type as a comment.
    fn fields(&mut self, references: &[(String, String)]) -> String {
        let mut out = String::new();
        let pk = self.pk_on_field().map(str::to_string);
        for (column, plan) in self.table.columns.iter().zip(&self.me.fields) {
            let ty = match &plan.ty {
                Ok(ty) => ty.clone(),
                Err(why) => {
                    let object = format!("column `{}.{}`", self.qualified(), column.name);
                    out.push_str(&format!("    // left out: {object}: {why}\n"));
                    self.leave_out(object, why.clone());
                    continue;
                }
            };
            if let Some(e) = self
                .plan
                .enums
                .iter()
                .find(|e| ty.rust == e.rust || ty.rust == format!("Vec<{}>", e.rust))
            {
                self.uses.insert(format!("super::enums::{}", e.rust));
            }
            let mut attrs = Vec::new();
            if plan.field != column.name {
                attrs.push(format!("name = {}", literal(&column.name)));
            }
            if pk.as_deref() == Some(column.name.as_str()) {
                attrs.push("primary_key".into());
            }
            attrs.extend(column_kind_attrs(column));
            attrs.extend(plan.default.clone());
            self.owned_sequence(column);
            if let Some(sql_type) = &ty.sql_type {
                attrs.push(format!("sql_type = {}", literal(sql_type)));
            }
            let unique = self.table.uniques.iter().any(|u| {
                u.columns == [column.name.clone()]
                    && self.unique_on_field(&u.columns, &u.name, u.nulls_not_distinct)
            });
            if unique {
                attrs.push("unique".into());
            }
            if let Some((_, r)) = references.iter().find(|(c, _)| *c == column.name) {
                attrs.push(r.clone());
            }
            if !attrs.is_empty() {
                out.push_str(&format!("    #[column({})]\n", attrs.join(", ")));
            }
            let rust = match column.nullable {
                true => format!("Option<{}>", ty.rust),
                false => ty.rust.clone(),
            };
            out.push_str(&format!("    pub {}: {rust},\n", plan.field));
        }
        out
    }
}

impl Writer<'_> {
    /// Notes a default that draws from a sequence no `#[derive(Sequence)]` declares (one not
    /// read), which a fresh database built from the sources would lack.
    fn owned_sequence(&mut self, column: &Column) {
        let Some(sequence) = column.default.as_deref().and_then(nextval_sequence) else {
            return;
        };
        let key = match sequence.as_slice() {
            [name] => schema_core::Schema::key("public", name),
            [schema, name] => schema_core::Schema::key(schema, name),
            _ => return,
        };
        if !self.plan.sequences.contains_key(&key) {
            self.leave_out(
                format!("sequence `{key}` of column `{}.{}`", self.qualified(), column.name),
                "the default draws from it, but it was not read (introspection reads the sequence a serial column owns), so a database built from the sources lacks it; declare it with #[derive(Sequence)], or make the column `identity`",
            );
        }
    }
}
