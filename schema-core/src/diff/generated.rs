//! Generated columns around a retyped column: PostgreSQL refuses to change the type of a
//! column a generated column reads (`cannot alter type of a column used by a generated
//! column`). So, on a table where a kept column is retyped, a generated column that reads it
//! is out of the way first: one that stays generated is dropped early and added again after
//! the type changes (computed again, its keys and indexes created again, as for a changed
//! expression), one that becomes plain loses its expression before, one that goes is dropped
//! before; and a new generated column that reads a retyped column is added after, as is the
//! new expression of a kept column that reads one.
//!
//! What a generated column reads is found as views find it: every identifier token of its
//! expression, compared case-insensitively (a superset).

use super::views::identifiers;
use super::Ctx;
use crate::model::{Column, Table};
use std::collections::{BTreeMap, BTreeSet};

/// The generated columns of one table that must move around its type changes.
#[derive(Debug, Default)]
pub(crate) struct AroundRetypes {
    /// Old names of kept columns that stay generated: dropped early, added after.
    pub replace: BTreeSet<String>,
    /// Old names of kept columns that become plain: their expression goes first.
    pub plain_first: BTreeSet<String>,
    /// Old names of dropped generated columns: dropped early.
    pub drop_early: BTreeSet<String>,
    /// New names of added generated columns: added after the type changes.
    pub add_late: BTreeSet<String>,
    /// Old names of other kept columns whose new expression reads a retyped column: altered
    /// after the type changes.
    pub alter_late: BTreeSet<String>,
}

/// Whether the generated column `c` may read one of `names` (lowercased).
fn reads(c: &Column, names: &BTreeSet<String>) -> bool {
    let Some(g) = &c.generated else {
        return false;
    };
    match identifiers(&g.expr) {
        Some(ids) => ids.iter().any(|id| names.contains(id)),
        None => !names.is_empty(),
    }
}

/// What moves on the table `old` → `new`, whose kept columns are `columns` (old name to new).
pub(crate) fn around_retypes(
    ctx: &Ctx,
    old: &Table,
    new: &Table,
    columns: &BTreeMap<String, String>,
) -> AroundRetypes {
    let mut out = AroundRetypes::default();
    let (mut old_names, mut new_names) = (BTreeSet::new(), BTreeSet::new());
    for (o, n) in columns {
        let (Some(oc), Some(nc)) = (old.column(o), new.column(n)) else {
            continue;
        };
        if ctx.map_type(&oc.ty) != nc.ty {
            old_names.insert(o.to_lowercase());
            new_names.insert(n.to_lowercase());
        }
    }
    if old_names.is_empty() {
        return out;
    }
    for c in old.columns.iter().filter(|c| reads(c, &old_names)) {
        match columns.get(&c.name).and_then(|n| new.column(n)) {
            Some(n) if n.generated.is_some() => out.replace.insert(c.name.clone()),
            Some(_) => out.plain_first.insert(c.name.clone()),
            None => out.drop_early.insert(c.name.clone()),
        };
    }
    for (o, n) in columns {
        let read = new.column(n).is_some_and(|c| reads(c, &new_names));
        if read && !out.replace.contains(o) && !out.plain_first.contains(o) {
            out.alter_late.insert(o.clone());
        }
    }
    let kept_new: BTreeSet<&String> = columns.values().collect();
    for c in new.columns.iter().filter(|c| !kept_new.contains(&c.name)) {
        if reads(c, &new_names) {
            out.add_late.insert(c.name.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::diff::{diff, Change, Renames};
    use crate::model::{Column, ColumnType, Generated, Schema, Table};

    fn column(name: &str, ty: &str, generated: Option<&str>) -> Column {
        Column {
            name: name.into(),
            ty: ColumnType::Builtin(ty.into()),
            nullable: false,
            default: None,
            identity: false,
            identity_options: Default::default(),
            generated: generated.map(|e| Generated {
                expr: e.into(),
                is_virtual: false,
            }),
            renamed_from: None,
        }
    }

    fn schema(columns: Vec<Column>) -> Schema {
        let table = Table {
            schema: "public".into(),
            name: "items".into(),
            columns,
            primary_key: None,
            uniques: Vec::new(),
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            rls: false,
            policies: Vec::new(),
            renamed_from: None,
        };
        let mut s = Schema::default();
        s.tables.insert("public.items".into(), table);
        s
    }

    fn kinds(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                Change::DropColumn { column, .. } => format!("drop {column}"),
                Change::AddColumn { column, .. } => format!("add {}", column.name),
                Change::AlterColumnType { column, .. } => format!("type {column}"),
                Change::AlterGenerated { column, .. } => format!("generated {}", column.name),
                _ => "other".into(),
            })
            .collect()
    }

    /// A generated column (declared first, so it is not last by chance) leaves before its
    /// source is retyped and comes back after; one that becomes plain loses its expression
    /// first; a new one reading the retyped column is added after.
    #[test]
    fn generated_columns_reading_a_retyped_column_move_around_the_type_change() {
        let old = schema(vec![
            column("double", "integer", Some("\"n\" * 2")),
            column("n", "smallint", None),
        ]);
        let new = schema(vec![
            column("double", "integer", Some("\"n\" * 2")),
            column("n", "integer", None),
        ]);
        let changes = diff(&old, &new, &Renames::default());
        assert_eq!(
            kinds(&changes),
            ["drop double", "type n", "add double"],
            "{changes:?}"
        );
        let plain = schema(vec![
            column("double", "integer", None),
            column("n", "integer", None),
            column("triple", "integer", Some("n * 3")),
        ]);
        let changes = diff(&old, &plain, &Renames::default());
        assert_eq!(
            kinds(&changes),
            ["generated double", "type n", "add triple"],
            "{changes:?}"
        );
        // The way back: `double` becomes generated again over `n`, after `n`'s type changes.
        let changes = diff(&plain, &old, &Renames::default());
        assert_eq!(
            kinds(&changes),
            ["drop triple", "type n", "generated double"],
            "{changes:?}"
        );
    }

    /// A generated column added again for a new expression takes its indexes with it, keyed
    /// by `DESC` columns too: they are created again after it.
    #[test]
    fn an_index_with_ordered_keys_on_a_replaced_column_is_created_again() {
        use crate::model::{Index, IndexKey};
        let with_index = |mut s: Schema, source: &str| {
            let mut first = IndexKey::column(source);
            first.desc = true;
            let table = s.tables.get_mut("public.items").expect("table");
            table.indexes.push(Index {
                name: "items_idx".into(),
                columns: Vec::new(),
                keys: vec![first, IndexKey::column("double")],
                unique: false,
                predicate: None,
                using: None,
                with: Default::default(),
                concurrently: false,
                nulls_not_distinct: false,
            });
            s
        };
        let old = with_index(
            schema(vec![
                column("n", "integer", None),
                column("double", "integer", Some("\"n\" * 2")),
            ]),
            "n",
        );
        let new = with_index(
            schema(vec![
                column("n", "integer", None),
                column("double", "integer", Some("\"n\" * 3")),
            ]),
            "n",
        );
        let changes = diff(&old, &new, &Renames::default());
        let creates = changes
            .iter()
            .filter(|c| matches!(c, Change::CreateIndex { .. }))
            .count();
        assert_eq!(creates, 1, "{changes:?}");
    }

    /// PostgreSQL retypes a generated column only without `USING`: one that stays generated
    /// and changes type is added again with its new type instead.
    #[test]
    fn a_retyped_generated_column_is_added_again() {
        let old = schema(vec![
            column("n", "smallint", None),
            column("double", "bigint", Some("\"n\" * 2")),
        ]);
        let new = schema(vec![
            column("n", "smallint", None),
            column("double", "smallint", Some("\"n\" * 2")),
        ]);
        let changes = diff(&old, &new, &Renames::default());
        assert_eq!(kinds(&changes), ["generated double"], "{changes:?}");
    }

    /// A generated column dropped with the column it reads goes first.
    #[test]
    fn a_dropped_generated_column_goes_before_its_source() {
        let old = schema(vec![
            column("n", "smallint", None),
            column("double", "integer", Some("\"n\" * 2")),
            column("id", "bigint", None),
        ]);
        let new = schema(vec![column("id", "bigint", None)]);
        let changes = diff(&old, &new, &Renames::default());
        assert_eq!(kinds(&changes), ["drop double", "drop n"], "{changes:?}");
    }
}
