//! Specs: what the strategies draw. Numbers pick names, types, columns and targets modulo what
//! exists when the spec is built, so every spec builds a valid model and shrinks well.

use super::edit::Edit;
use super::edit_kinds::KindEdit;
use proptest::collection::vec;
use proptest::option::weighted as maybe;
use proptest::prelude::*;

/// A whole schema: tables first drawn, then enums.
#[derive(Debug, Clone)]
pub struct SchemaSpec {
    pub tables: Vec<TableSpec>,
    pub enums: Vec<EnumSpec>,
    pub sequences: Vec<SequenceSpec>,
    pub views: Vec<ViewSpec>,
}

/// One table; numbers pick names, columns and targets modulo what exists.
#[derive(Debug, Clone)]
pub struct TableSpec {
    pub name: u8,
    pub audit: bool,
    pub fields: Vec<FieldSpec>,
    /// The (first) primary key column becomes an integer, as most keys are.
    pub int_key: bool,
    /// (first column, second column, composite).
    pub primary_key: (u8, u8, bool),
    pub indexes: Vec<IndexSpec>,
    /// (first column, second column, named, nulls_not_distinct).
    pub uniques: Vec<(u8, Option<u8>, bool, bool)>,
    /// (integer column, lower bound, named).
    pub checks: Vec<(u8, i32, bool)>,
    /// Struct-level foreign keys over two or more columns.
    pub composite_keys: Vec<CompositeSpec>,
    /// `#[table(rls)]` with these policies.
    pub rls: Option<Vec<PolicySpec>>,
}

/// A struct-level `#[foreign_key(..)]`: the target table and which of its keys (primary key
/// or a unique set of two or more columns), actions, and whether it is named.
#[derive(Debug, Clone)]
pub struct CompositeSpec {
    pub target: u8,
    pub key: u8,
    pub del: u8,
    pub upd: u8,
    pub named: bool,
}

/// A `#[policy(..)]`: numbers pick the name, the command and the columns of its expressions.
#[derive(Debug, Clone)]
pub struct PolicySpec {
    pub name: u8,
    pub restrictive: bool,
    pub command: u8,
    /// `to = "<the test's role>"` rather than `public`.
    pub role: bool,
    pub using: Option<u8>,
    pub with_check: Option<u8>,
}

/// A `#[derive(Sequence)]`: options are bits of `options` (see `objects::sequence_options`).
#[derive(Debug, Clone)]
pub struct SequenceSpec {
    pub name: u8,
    pub audit: bool,
    pub options: u8,
}

/// A `#[derive(View)]` over one table: its columns and an `IS NOT NULL` filter.
#[derive(Debug, Clone)]
pub struct ViewSpec {
    pub name: u8,
    pub audit: bool,
    pub table: u8,
    pub columns: Vec<u8>,
    pub filter: Option<u8>,
}

#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub name: u8,
    pub ty: u8,
    pub nullable: bool,
    pub default: Option<u8>,
    pub identity: bool,
    /// Identity options as bits (see `kinds::identity_options`).
    pub identity_options: Option<u8>,
    /// (source field, operation): a generated column over an integer field.
    pub generated: Option<(u8, u8)>,
    pub unique: bool,
    pub index: bool,
    /// (target table, on_delete, on_update).
    pub references: Option<(u8, u8, u8)>,
}

#[derive(Debug, Clone)]
pub struct IndexSpec {
    pub first: u8,
    pub second: Option<u8>,
    pub named: bool,
    pub unique: bool,
    pub predicate: Option<u8>,
    /// 0–2 the default method, 3 `hash`, 4–5 `gin`, 6 an explicit `btree`.
    pub using: u8,
    pub nnd: bool,
}

#[derive(Debug, Clone)]
pub struct EnumSpec {
    pub name: u8,
    pub audit: bool,
    pub values: Vec<u8>,
}

pub fn schema_spec() -> impl Strategy<Value = SchemaSpec> {
    (
        vec(table_spec(), 1..=4),
        vec(enum_spec(), 0..=2),
        maybe(0.3, sequence_spec()),
        maybe(0.4, view_spec()),
    )
        .prop_map(|(tables, enums, sequence, view)| SchemaSpec {
            tables,
            enums,
            sequences: sequence.into_iter().collect(),
            views: view.into_iter().collect(),
        })
}

pub fn composite_spec() -> impl Strategy<Value = CompositeSpec> {
    (any::<u8>(), any::<u8>(), 0..5u8, 0..5u8, any::<bool>()).prop_map(
        |(target, key, del, upd, named)| CompositeSpec {
            target,
            key,
            del,
            upd,
            named,
        },
    )
}

pub fn policy_spec() -> impl Strategy<Value = PolicySpec> {
    (
        any::<u8>(),
        prop::bool::weighted(0.3),
        0..5u8,
        any::<bool>(),
        maybe(0.7, any::<u8>()),
        maybe(0.5, any::<u8>()),
    )
        .prop_map(
            |(name, restrictive, command, role, using, with_check)| PolicySpec {
                name,
                restrictive,
                command,
                role,
                using,
                with_check,
            },
        )
}

pub fn sequence_spec() -> impl Strategy<Value = SequenceSpec> {
    (any::<u8>(), prop::bool::weighted(0.3), any::<u8>()).prop_map(|(name, audit, options)| {
        SequenceSpec {
            name,
            audit,
            options,
        }
    })
}

pub fn view_spec() -> impl Strategy<Value = ViewSpec> {
    (
        any::<u8>(),
        prop::bool::weighted(0.3),
        any::<u8>(),
        vec(any::<u8>(), 1..=3),
        maybe(0.3, any::<u8>()),
    )
        .prop_map(|(name, audit, table, columns, filter)| ViewSpec {
            name,
            audit,
            table,
            columns,
            filter,
        })
}

fn field_spec() -> impl Strategy<Value = FieldSpec> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<bool>(),
        maybe(0.35, any::<u8>()),
        (prop::bool::weighted(0.15), maybe(0.4, any::<u8>())),
        (prop::bool::weighted(0.15), prop::bool::weighted(0.15)),
        maybe(0.3, (any::<u8>(), 0..5u8, 0..5u8)),
        maybe(0.2, (any::<u8>(), any::<u8>())),
    )
        .prop_map(
            |(
                name,
                ty,
                nullable,
                default,
                (identity, identity_options),
                (unique, index),
                references,
                generated,
            )| FieldSpec {
                name,
                ty,
                nullable,
                default,
                identity,
                identity_options,
                generated,
                unique,
                index,
                references,
            },
        )
}

fn index_spec() -> impl Strategy<Value = IndexSpec> {
    (
        any::<u8>(),
        maybe(0.3, any::<u8>()),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.3),
        maybe(0.3, any::<u8>()),
        0..7u8,
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(first, second, named, unique, predicate, using, nnd)| IndexSpec {
                first,
                second,
                named,
                unique,
                predicate,
                using,
                nnd,
            },
        )
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        any::<u8>(),
        prop::bool::weighted(0.25),
        (vec(field_spec(), 1..=6), prop::bool::weighted(0.6)),
        (any::<u8>(), any::<u8>(), prop::bool::weighted(0.25)),
        vec(index_spec(), 0..=2),
        vec(
            (
                any::<u8>(),
                maybe(0.4, any::<u8>()),
                any::<bool>(),
                prop::bool::weighted(0.2),
            ),
            0..=1,
        ),
        vec((any::<u8>(), -2000i32..100, any::<bool>()), 0..=2),
        (
            vec(composite_spec(), 0..=1),
            maybe(0.15, vec(policy_spec(), 0..=2)),
        ),
    )
        .prop_map(
            |(
                name,
                audit,
                (fields, int_key),
                primary_key,
                indexes,
                uniques,
                checks,
                (composite_keys, rls),
            )| TableSpec {
                name,
                audit,
                fields,
                int_key,
                primary_key,
                indexes,
                uniques,
                checks,
                composite_keys,
                rls,
            },
        )
}

fn enum_spec() -> impl Strategy<Value = EnumSpec> {
    (
        any::<u8>(),
        prop::bool::weighted(0.2),
        vec(any::<u8>(), 1..=4),
    )
        .prop_map(|(name, audit, values)| EnumSpec {
            name,
            audit,
            values,
        })
}

pub fn edit() -> impl Strategy<Value = Edit> {
    let s = || any::<u8>();
    prop_oneof![
        2 => table_spec().prop_map(Edit::AddTable),
        2 => s().prop_map(Edit::DropTable),
        2 => (s(), s()).prop_map(|(t, n)| Edit::RenameTable(t, n)),
        2 => s().prop_map(Edit::MoveTable),
        1 => Just(Edit::RenameSchema),
        3 => (s(), field_spec()).prop_map(|(t, f)| Edit::AddColumn(t, f)),
        3 => (s(), s()).prop_map(|(t, c)| Edit::DropColumn(t, c)),
        3 => (s(), s(), s()).prop_map(|(t, c, n)| Edit::RenameColumn(t, c, n)),
        5 => (s(), s(), s()).prop_map(|(t, c, n)| Edit::ChangeType(t, c, n)),
        3 => (s(), s()).prop_map(|(t, c)| Edit::ToggleNullable(t, c)),
        3 => (s(), s(), s()).prop_map(|(t, c, n)| Edit::ChangeDefault(t, c, n)),
        2 => (s(), s()).prop_map(|(t, c)| Edit::ToggleIdentity(t, c)),
        2 => (s(), s()).prop_map(|(t, c)| Edit::ToggleUnique(t, c)),
        2 => (s(), s()).prop_map(|(t, c)| Edit::ToggleIndex(t, c)),
        2 => (s(), s(), s(), any::<bool>()).prop_map(|(t, a, b, c)| Edit::ChangePrimaryKey(t, a, b, c)),
        2 => (s(), index_spec()).prop_map(|(t, i)| Edit::AddIndex(t, i)),
        2 => (s(), s()).prop_map(|(t, i)| Edit::DropIndex(t, i)),
        2 => (s(), s(), s()).prop_map(|(t, i, w)| Edit::AlterIndex(t, i, w)),
        2 => (s(), s(), maybe(0.4, s())).prop_map(|(t, a, b)| Edit::AddUnique(t, a, b)),
        1 => (s(), s()).prop_map(|(t, i)| Edit::DropUnique(t, i)),
        2 => (s(), s(), -2000i32..100).prop_map(|(t, c, b)| Edit::AddCheck(t, c, b)),
        1 => (s(), s()).prop_map(|(t, i)| Edit::DropCheck(t, i)),
        1 => (s(), s(), -2000i32..100).prop_map(|(t, i, b)| Edit::AlterCheck(t, i, b)),
        3 => (s(), s(), (s(), 0..5u8, 0..5u8)).prop_map(|(t, c, r)| Edit::AddForeignKey(t, c, r)),
        2 => (s(), s()).prop_map(|(t, i)| Edit::DropForeignKey(t, i)),
        2 => (s(), s(), 0..5u8, 0..5u8).prop_map(|(t, i, d, u)| Edit::AlterForeignKey(t, i, d, u)),
        1 => enum_spec().prop_map(Edit::AddEnum),
        1 => s().prop_map(Edit::DropEnum),
        2 => (s(), s()).prop_map(|(e, n)| Edit::RenameEnum(e, n)),
        1 => s().prop_map(Edit::MoveEnum),
        2 => (s(), s(), s()).prop_map(|(e, v, p)| Edit::AddEnumValue(e, v, p)),
        2 => (s(), s()).prop_map(|(e, i)| Edit::RemoveEnumValue(e, i)),
        2 => (s(), s()).prop_map(|(e, i)| Edit::SwapEnumValues(e, i)),
        12 => kind_edit().prop_map(Edit::Kind),
    ]
}

/// Edits of issue 13's kinds, drawn as one arm of [`edit`] so the older kinds keep their share.
fn kind_edit() -> impl Strategy<Value = KindEdit> {
    use KindEdit::*;
    let s = || any::<u8>();
    prop_oneof![
        3 => (s(), composite_spec()).prop_map(|(t, k)| AddCompositeKey(t, k)),
        1 => (s(), s()).prop_map(|(t, i)| DropCompositeKey(t, i)),
        2 => (s(), s(), 0..5u8, 0..5u8, s()).prop_map(|(t, i, d, u, n)| AlterCompositeKey(t, i, d, u, n)),
        2 => (s(), s()).prop_map(|(t, i)| ToggleNullsNotDistinct(t, i)),
        4 => (s(), s(), s(), s()).prop_map(|(t, c, src, op)| SetGenerated(t, c, src, op)),
        3 => (s(), s(), s()).prop_map(|(t, c, o)| ChangeIdentityOptions(t, c, o)),
        3 => s().prop_map(ToggleRls),
        2 => (s(), policy_spec()).prop_map(|(t, p)| AddPolicy(t, p)),
        1 => (s(), s()).prop_map(|(t, i)| DropPolicy(t, i)),
        3 => (s(), s(), s()).prop_map(|(t, i, w)| AlterPolicy(t, i, w)),
        1 => (s(), s(), s()).prop_map(|(t, i, n)| RenamePolicy(t, i, n)),
        3 => sequence_spec().prop_map(AddSequence),
        4 => s().prop_map(DropSequence),
        2 => (s(), s()).prop_map(|(i, o)| AlterSequence(i, o)),
        2 => (s(), s()).prop_map(|(i, n)| RenameSequence(i, n)),
        1 => s().prop_map(MoveSequence),
        2 => view_spec().prop_map(AddView),
        1 => s().prop_map(DropView),
        6 => (s(), s(), s()).prop_map(|(i, w, c)| AlterView(i, w, c)),
        4 => (s(), s()).prop_map(|(i, n)| RenameView(i, n)),
        2 => s().prop_map(MoveView),
    ]
}
