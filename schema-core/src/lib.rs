//! Schema-first migrations, the pure part: the schema model, the one attribute parser, the
//! resolver from Rust definitions to SQL names, diff, SQL rendering per dialect, snapshots and
//! the journal. Nothing here touches a database.

pub mod def;
pub mod diff;
pub mod lint;
pub mod model;
pub mod naming;
pub mod render;
pub mod resolve;
pub mod snapshot;
pub mod types;

#[cfg(feature = "parser")]
pub mod parser;

#[doc(hidden)]
pub mod sqlx_impls;

pub use def::{EnumDef, SequenceDef, TableDef, ViewDef};
pub use model::Schema;

/// Implemented by `#[derive(Table)]`: the table's description, usable at run time.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a table",
    label = "`references` must point at a field of a `#[derive(Table)]` struct",
    note = "derive it: `#[derive(Table)] struct {Self} {{ .. }}`"
)]
pub trait Table {
    /// The definition read from the struct's attributes (Rust names, unresolved).
    fn table_def() -> TableDef;
}

/// Implemented by `#[derive(DbEnum)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no SQL type mapping",
    label = "not a supported column type",
    note = "derive `DbEnum` for `{Self}`, or give the column its type: #[column(sql_type = \"jsonb\")]"
)]
pub trait DbEnum {
    /// The labels in declaration order.
    const VALUES: &'static [&'static str];
    /// The definition read from the enum's attributes.
    fn enum_def() -> EnumDef;
}

/// Implemented by `#[derive(Sequence)]`: the sequence's description, usable at run time.
pub trait Sequence {
    /// The definition read from the struct's `#[sequence(..)]` attribute.
    fn sequence_def() -> SequenceDef;
}

/// Implemented by `#[derive(View)]`: the view's description, usable at run time.
pub trait View {
    /// The definition read from the struct's `#[view(..)]` attribute and its fields.
    fn view_def() -> ViewDef;
}

/// Items the derive macros' generated code uses; not a public API.
#[doc(hidden)]
pub mod __private {
    use core::marker::PhantomData;

    pub use serde_json;

    #[cfg(any(
        feature = "sqlx-postgres",
        feature = "sqlx-sqlite",
        feature = "sqlx-mysql"
    ))]
    pub use crate::sqlx_impls::{decode_label, encode_label, skipped_default, Labels};
    /// The sqlx the derived impls name, so that an application needs no sqlx dependency of a
    /// matching version for them (it may have one: features unify).
    #[cfg(any(
        feature = "sqlx-postgres",
        feature = "sqlx-sqlite",
        feature = "sqlx-mysql"
    ))]
    pub use sqlx;

    /// Reads a definition the derive embedded as JSON. The JSON was written by the derive from
    /// the same types at compile time, so it always reads back.
    pub fn def_from_json<T: serde::de::DeserializeOwned>(json: &str) -> T {
        match serde_json::from_str(json) {
            Ok(def) => def,
            Err(e) => {
                unreachable!("schema-macros embedded a definition that does not read back: {e}")
            }
        }
    }

    /// True when `values` holds `value`; usable in constants so an enum default that names no
    /// value fails at compile time.
    pub const fn contains(values: &[&str], value: &str) -> bool {
        let mut i = 0;
        while i < values.len() {
            if bytes_eq(values[i].as_bytes(), value.as_bytes()) {
                return true;
            }
            i += 1;
        }
        false
    }

    const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }

    /// The marker `#[derive(Table)]` gives each column field, as an inherent associated
    /// function `__schema_column_<field>()` usable wherever the struct is, whatever the field's
    /// privacy: `references` checks compare these instead of reading fields.
    pub struct Column<T: ?Sized>(PhantomData<T>);

    impl<T: ?Sized> Column<T> {
        pub const fn new() -> Self {
            Column(PhantomData)
        }
    }

    impl<T: ?Sized> Default for Column<T> {
        fn default() -> Self {
            Self::new()
        }
    }

    /// The marker of a `#[column(skip)]` field: it exists, but is not a column.
    pub struct Skipped<T: ?Sized>(PhantomData<T>);

    impl<T: ?Sized> Skipped<T> {
        pub const fn new() -> Self {
            Skipped(PhantomData)
        }
    }

    impl<T: ?Sized> Default for Skipped<T> {
        fn default() -> Self {
            Self::new()
        }
    }

    /// What `references` may point at: a column field's marker.
    #[diagnostic::on_unimplemented(
        message = "`references` names a `#[column(skip)]` field, which is not a column",
        label = "a skipped field",
        note = "point `references` at a column field of the struct, for example: #[column(references = Account::id)]"
    )]
    pub trait Referenced {
        type Type: ?Sized;
    }

    impl<T: ?Sized> Referenced for Column<T> {
        type Type = T;
    }

    /// A foreign key field must have its target's type, optionally wrapped in `Option`.
    #[diagnostic::on_unimplemented(
        message = "foreign key type `{Self}` does not match the referenced field's type `{T}`",
        label = "this field's type differs from the referenced field's",
        note = "a foreign key field has the referenced field's type, or `Option` of it: change this field's type to `{T}` or `Option<{T}>`"
    )]
    pub trait ForeignKeyType<T: ?Sized> {}
    impl<T> ForeignKeyType<T> for T {}
    impl<T> ForeignKeyType<T> for Option<T> {}

    /// `target` is the referenced field's marker, `field` the foreign key field's. The target
    /// comes first, so that its type is known when the field's type is checked against it.
    pub fn assert_foreign_key_type<T: Referenced, F: ForeignKeyType<T::Type>>(
        _target: T,
        _field: Column<F>,
    ) {
    }

    /// The referenced struct must derive `Table`.
    pub fn assert_table<T: crate::Table>() {}

    /// A field whose type the mapping does not know must be a `DbEnum`.
    pub fn assert_db_enum<T: crate::DbEnum>() {}
}
