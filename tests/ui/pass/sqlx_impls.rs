// With the `sqlx` feature: `sqlx::FromRow` for a table on every database's row, `sqlx::Type`,
// `Encode` and `Decode` for a DbEnum on every database, arrays of it on PostgreSQL (a table with
// an array field compiles, and reads PostgreSQL rows); the name consts, a raw field name among
// them, and the columns struct shadows nothing of the user's.
use schema_macros::{DbEnum, Table};

#[derive(DbEnum)]
#[db_enum(name = "ticket_kind", schema = "ops")]
enum Kind {
    Bug,
    #[db_enum(rename = "feature request")]
    Feature,
}

/// A user type with the name the derive gives `Ticket`'s columns struct.
#[derive(Default)]
struct TicketColumns;

#[derive(Table)]
#[table(name = "tickets")]
struct Ticket {
    #[column(primary_key)]
    id: i64,
    #[column(name = "kind_of")]
    r#type: Kind,
    #[column(skip)]
    columns: TicketColumns,
}

#[derive(Table)]
#[table(name = "boards")]
struct Board {
    #[column(primary_key)]
    id: i64,
    kinds: Vec<Kind>,
}

fn from_row<R: sqlx::Row, T: for<'r> sqlx::FromRow<'r, R>>() {}

fn value<DB: sqlx::Database, T>()
where
    T: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB>,
{
}

fn main() {
    from_row::<sqlx::postgres::PgRow, Ticket>();
    from_row::<sqlx::sqlite::SqliteRow, Ticket>();
    from_row::<sqlx::mysql::MySqlRow, Ticket>();
    from_row::<sqlx::postgres::PgRow, Board>();
    value::<sqlx::Postgres, Kind>();
    value::<sqlx::Postgres, Vec<Kind>>();
    value::<sqlx::Sqlite, Kind>();
    value::<sqlx::MySql, Kind>();
    let name: &'static str = Ticket::COLUMNS.r#type;
    assert_eq!(name, "kind_of");
    assert_eq!((Ticket::TABLE, Ticket::QUALIFIED_TABLE), ("tickets", "tickets"));
    assert_eq!(Board::COLUMNS.kinds, "kinds");
    let _ = TicketColumns;
}
