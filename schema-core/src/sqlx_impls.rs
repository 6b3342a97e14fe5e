//! The sqlx trait impls the derives write with schema-macros' `sqlx` feature: `sqlx::FromRow`
//! for a table, `sqlx::Type`, `Encode` and `Decode` for a DbEnum. The derive hands each item to
//! a `macro_rules!` macro of this module, so that schema-core's own features (the target
//! build's, which the derive cannot see) decide what is written: an impl for each database whose
//! `sqlx-*` feature is on, and without any of them a compile error saying what to enable.
//!
//! Only trait impls come out of here; nothing in schema-core connects to a database.

/// A DbEnum value as its label, both ways.
#[cfg(any(
    feature = "sqlx-postgres",
    feature = "sqlx-sqlite",
    feature = "sqlx-mysql"
))]
mod labels {
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::{Database, Decode, Encode};

    /// A DbEnum's labels, as `#[derive(DbEnum)]` read them: what a value is stored as.
    pub trait Labels: Sized + 'static {
        /// The enum's Rust name, for errors.
        const RUST_NAME: &'static str;
        /// Every label, in declaration order.
        const LABELS: &'static [&'static str];
        /// The label of this value.
        fn label(&self) -> &'static str;
        /// The value of a label, `None` for a text that is no label.
        fn from_label(label: &str) -> Option<Self>;
    }

    /// Encodes a DbEnum value as its label, the way the database encodes a `&str`.
    pub fn encode_label<'q, DB: Database, E: Labels>(
        value: &E,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError>
    where
        &'q str: Encode<'q, DB>,
    {
        <&'q str as Encode<'q, DB>>::encode(value.label(), buf)
    }

    /// Decodes a DbEnum value from its label, refusing a text that is no label.
    pub fn decode_label<'r, DB: Database, E: Labels>(
        value: <DB as Database>::ValueRef<'r>,
    ) -> Result<E, BoxDynError>
    where
        &'r str: Decode<'r, DB>,
    {
        let label = <&'r str as Decode<'r, DB>>::decode(value)?;
        E::from_label(label).ok_or_else(|| {
            format!(
                "{label:?} is no label of enum {}; its labels are {:?} (the database holds a value the schema does not declare: add the variant, or migrate the rows)",
                E::RUST_NAME,
                E::LABELS
            )
            .into()
        })
    }
}

#[cfg(any(
    feature = "sqlx-postgres",
    feature = "sqlx-sqlite",
    feature = "sqlx-mysql"
))]
pub use labels::{decode_label, encode_label, Labels};

/// The value of a `#[column(skip)]` field in a row read by the derived `sqlx::FromRow`, as
/// sqlx's own `#[sqlx(skip)]` gives it.
pub fn skipped_default<T: Default>() -> T {
    T::default()
}

/// `sqlx::FromRow` for a `#[derive(Table)]` struct, generic over the row type: each column field
/// is read by its SQL name, each `skip` field is `Default::default()`.
#[cfg(any(
    feature = "sqlx-postgres",
    feature = "sqlx-sqlite",
    feature = "sqlx-mysql"
))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_from_row {
    ($ty:ident { $($field:ident : $fty:ty = $col:literal),* } skip { $($skip:ident : $sty:ty),* }) => {
        #[automatically_derived]
        impl<'r, R> $crate::__private::sqlx::FromRow<'r, R> for $ty
        where
            R: $crate::__private::sqlx::Row,
            &'r str: $crate::__private::sqlx::ColumnIndex<R>,
            $($fty: $crate::__private::sqlx::Decode<'r, <R as $crate::__private::sqlx::Row>::Database>
                + $crate::__private::sqlx::Type<<R as $crate::__private::sqlx::Row>::Database>,)*
        {
            fn from_row(row: &'r R) -> ::core::result::Result<Self, $crate::__private::sqlx::Error> {
                ::core::result::Result::Ok($ty {
                    $($field: $crate::__private::sqlx::Row::try_get(row, $col)?,)*
                    $($skip: $crate::__private::skipped_default::<$sty>(),)*
                })
            }
        }
    };
}

/// Without schema-core's `sqlx` feature, the derive's sqlx impls cannot be written.
#[cfg(not(any(
    feature = "sqlx-postgres",
    feature = "sqlx-sqlite",
    feature = "sqlx-mysql"
)))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_from_row {
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "schema-macros' `sqlx` feature needs schema-core's: add it to the schema-core dependency, for example: schema-core = { version = \"0.1\", features = [\"sqlx\"] }"
        );
    };
}

/// `sqlx::Type`, `Encode` and `Decode` for a `#[derive(DbEnum)]` enum on each database whose
/// feature is on, and the labels they use.
#[cfg(any(
    feature = "sqlx-postgres",
    feature = "sqlx-sqlite",
    feature = "sqlx-mysql"
))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_db_enum {
    ($ty:ident, $pg_name:literal, [$($pg_spelling:literal),*] { $($variant:ident = $label:literal),* }) => {
        #[automatically_derived]
        impl $crate::__private::Labels for $ty {
            const RUST_NAME: &'static str = ::core::stringify!($ty);
            const LABELS: &'static [&'static str] = &[$($label),*];
            fn label(&self) -> &'static str {
                match self {
                    $($ty::$variant => $label,)*
                }
            }
            fn from_label(label: &str) -> ::core::option::Option<Self> {
                match label {
                    $($label => ::core::option::Option::Some($ty::$variant),)*
                    _ => ::core::option::Option::None,
                }
            }
        }
        $crate::__sqlx_db_enum_postgres!($ty, $pg_name, [$($pg_spelling),*]);
        $crate::__sqlx_text_enum_sqlite!($ty);
        $crate::__sqlx_text_enum_mysql!($ty);
    };
}

/// Without schema-core's `sqlx` feature, the derive's sqlx impls cannot be written.
#[cfg(not(any(
    feature = "sqlx-postgres",
    feature = "sqlx-sqlite",
    feature = "sqlx-mysql"
)))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_db_enum {
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "schema-macros' `sqlx` feature needs schema-core's: add it to the schema-core dependency, for example: schema-core = { version = \"0.1\", features = [\"sqlx\"] }"
        );
    };
}

/// PostgreSQL: the named enum type (`$pg_name`, each name double-quoted and schema-qualified
/// outside `public`), and arrays of it. A column whose type the server names by one of
/// `$pg_spelling` (bare or qualified, which one depends on the `search_path`; quoted or not,
/// which one depends on the name) is compatible.
#[cfg(feature = "sqlx-postgres")]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_db_enum_postgres {
    ($ty:ident, $pg_name:literal, [$($pg_spelling:literal),*]) => {
        #[automatically_derived]
        impl $crate::__private::sqlx::Type<$crate::__private::sqlx::Postgres> for $ty {
            fn type_info() -> $crate::__private::sqlx::postgres::PgTypeInfo {
                $crate::__private::sqlx::postgres::PgTypeInfo::with_name($pg_name)
            }
            fn compatible(ty: &$crate::__private::sqlx::postgres::PgTypeInfo) -> bool {
                let name = $crate::__private::sqlx::TypeInfo::name(ty);
                *ty == <Self as $crate::__private::sqlx::Type<$crate::__private::sqlx::Postgres>>::type_info()
                    || [$($pg_spelling),*].contains(&name)
            }
        }
        #[automatically_derived]
        impl $crate::__private::sqlx::postgres::PgHasArrayType for $ty {
            fn array_type_info() -> $crate::__private::sqlx::postgres::PgTypeInfo {
                $crate::__private::sqlx::postgres::PgTypeInfo::array_of($pg_name)
            }
        }
        $crate::__sqlx_label_codec!($ty, Postgres);
    };
}

#[cfg(not(feature = "sqlx-postgres"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_db_enum_postgres {
    ($($tokens:tt)*) => {};
}

/// SQLite: text, as `str` is.
#[cfg(feature = "sqlx-sqlite")]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_text_enum_sqlite {
    ($ty:ident) => {
        $crate::__sqlx_text_type!($ty, Sqlite);
    };
}

#[cfg(not(feature = "sqlx-sqlite"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_text_enum_sqlite {
    ($($tokens:tt)*) => {};
}

/// MySQL and MariaDB: text, as `str` is (an `ENUM` column reads as text too).
#[cfg(feature = "sqlx-mysql")]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_text_enum_mysql {
    ($ty:ident) => {
        $crate::__sqlx_text_type!($ty, MySql);
    };
}

#[cfg(not(feature = "sqlx-mysql"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_text_enum_mysql {
    ($($tokens:tt)*) => {};
}

/// `sqlx::Type<$db>` as `str`'s, then the label codec.
#[cfg(any(feature = "sqlx-sqlite", feature = "sqlx-mysql"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_text_type {
    ($ty:ident, $db:ident) => {
        #[automatically_derived]
        impl $crate::__private::sqlx::Type<$crate::__private::sqlx::$db> for $ty {
            fn type_info(
            ) -> <$crate::__private::sqlx::$db as $crate::__private::sqlx::Database>::TypeInfo {
                <str as $crate::__private::sqlx::Type<$crate::__private::sqlx::$db>>::type_info()
            }
            fn compatible(
                ty: &<$crate::__private::sqlx::$db as $crate::__private::sqlx::Database>::TypeInfo,
            ) -> bool {
                <str as $crate::__private::sqlx::Type<$crate::__private::sqlx::$db>>::compatible(ty)
            }
        }
        $crate::__sqlx_label_codec!($ty, $db);
    };
}

/// `Encode` and `Decode` on `$db` through the enum's labels.
#[cfg(any(
    feature = "sqlx-postgres",
    feature = "sqlx-sqlite",
    feature = "sqlx-mysql"
))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlx_label_codec {
    ($ty:ident, $db:ident) => {
        #[automatically_derived]
        impl<'q> $crate::__private::sqlx::Encode<'q, $crate::__private::sqlx::$db> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut <$crate::__private::sqlx::$db as $crate::__private::sqlx::Database>::ArgumentBuffer<'q>,
            ) -> ::core::result::Result<
                $crate::__private::sqlx::encode::IsNull,
                $crate::__private::sqlx::error::BoxDynError,
            > {
                $crate::__private::encode_label::<$crate::__private::sqlx::$db, Self>(self, buf)
            }
        }
        #[automatically_derived]
        impl<'r> $crate::__private::sqlx::Decode<'r, $crate::__private::sqlx::$db> for $ty {
            fn decode(
                value: <$crate::__private::sqlx::$db as $crate::__private::sqlx::Database>::ValueRef<'r>,
            ) -> ::core::result::Result<Self, $crate::__private::sqlx::error::BoxDynError> {
                $crate::__private::decode_label::<$crate::__private::sqlx::$db, Self>(value)
            }
        }
    };
}
