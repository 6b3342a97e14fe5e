//! The derived structs serve the application (issue 14): with the `sqlx` features, rows written
//! and read back through `#[derive(Table)]`'s `sqlx::FromRow` and `#[derive(DbEnum)]`'s
//! `sqlx::Type`, on PostgreSQL, SQLite and MariaDB, each a fresh database built with the SQL
//! `generate` writes for the same structs. SQL is built from the derived name consts
//! (`Ticket::TABLE`, `Ticket::COLUMNS.title`), so a renamed column is the renamed name. A
//! `#[derive(View)]` struct reads its rows the same way.

use schema_core::diff;
use schema_core::model::Schema;
use schema_core::render::{self, Dialect, Mysql, Postgres, Sqlite};
use schema_core::resolve::{add_views, resolve};
use schema_core::{DbEnum as _, EnumDef, Table as _, TableDef, View as _, ViewDef};
use schema_macros::{DbEnum, Table, View};
use sqlx::{Connection, Executor, SqliteConnection};

#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
#[db_enum(name = "ticket_mood")]
enum Mood {
    Calm,
    #[db_enum(rename = "on-fire")]
    OnFire,
}

#[derive(Table, Debug, PartialEq)]
#[table(name = "tickets")]
struct Ticket {
    #[column(primary_key)]
    id: i64,
    #[column(name = "ticket_title")]
    title: String,
    #[column(default = "calm")]
    mood: Mood,
    note: Option<String>,
    #[column(skip)]
    seen_by: Vec<String>,
}

/// The tickets on fire, through a view with a renamed column of its own.
#[derive(View, Debug, PartialEq)]
#[view(
    name = "hot_tickets",
    sql = "SELECT id, ticket_title FROM tickets WHERE mood = 'on-fire'"
)]
struct HotTicket {
    id: i64,
    #[column(name = "ticket_title")]
    headline: String,
}

/// PostgreSQL only: an enum with a name that needs quoting in a schema of its own, and an array
/// of it.
#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
#[db_enum(name = "Alert Level", schema = "ops")]
enum Level {
    Low,
    High,
}

#[derive(Table, Debug, PartialEq)]
#[table(name = "alerts", schema = "ops")]
struct Alert {
    #[column(primary_key)]
    id: i64,
    level: Level,
    history: Vec<Level>,
}

/// The SQL `generate` writes to create `tables`, `enums` and the `HotTicket` view from nothing
/// on `dialect`.
fn create_sql(dialect: &dyn Dialect, tables: &[TableDef], enums: &[EnumDef]) -> String {
    let views: [ViewDef; 1] = [HotTicket::view_def()];
    let mut schema = resolve(tables, enums).expect("the test's structs resolve");
    add_views(&mut schema, &views, enums).expect("the view resolves");
    let schema = dialect
        .adapt(schema, tables)
        .and_then(|schema| dialect.adapt_views(schema, &views))
        .expect("the test's structs fit");
    let old = Schema::default();
    let changes = diff::diff(&old, &schema, &diff::hinted_renames(&old, &schema));
    let script = dialect
        .script(&changes, &old, &schema)
        .expect("the test's structs render");
    render::file_sql(dialect, &script.statements)
}

fn ticket_sql(dialect: &dyn Dialect) -> String {
    create_sql(dialect, &[Ticket::table_def()], &[Mood::enum_def()])
}

/// `INSERT INTO tickets (id, ticket_title, mood, note) VALUES (<p1>, ..)`, with the dialect's
/// placeholders, from the consts.
fn insert_ticket(placeholders: [&str; 4]) -> String {
    let c = Ticket::COLUMNS;
    format!(
        "INSERT INTO {} ({}, {}, {}, {}) VALUES ({})",
        Ticket::TABLE,
        c.id,
        c.title,
        c.mood,
        c.note,
        placeholders.join(", ")
    )
}

/// Every column and a made-up `seen_by`, which the skip field must not read.
fn select_tickets() -> String {
    format!(
        "SELECT *, 'not read' AS seen_by FROM {} ORDER BY {}",
        Ticket::TABLE,
        Ticket::COLUMNS.id
    )
}

/// The rows every dialect writes, and must read back.
fn tickets() -> Vec<Ticket> {
    vec![
        Ticket {
            id: 1,
            title: "boiler".into(),
            mood: Mood::OnFire,
            note: Some("hot".into()),
            seen_by: Vec::new(),
        },
        Ticket {
            id: 2,
            title: "gears".into(),
            mood: Mood::Calm,
            note: None,
            seen_by: Vec::new(),
        },
    ]
}

#[test]
fn the_consts_name_the_sql_names() {
    assert_eq!(Ticket::TABLE, "tickets");
    assert_eq!(Ticket::SCHEMA, "public");
    assert_eq!(Ticket::QUALIFIED_TABLE, "tickets");
    assert_eq!(Ticket::COLUMNS.title, "ticket_title");
    assert_eq!(Ticket::COLUMNS.mood, "mood");
    assert_eq!(Alert::QUALIFIED_TABLE, "ops.alerts");
    assert_eq!(Alert::SCHEMA, "ops");
    assert_eq!(HotTicket::VIEW, "hot_tickets");
    assert_eq!(HotTicket::QUALIFIED_VIEW, "hot_tickets");
    assert_eq!(HotTicket::COLUMNS.headline, "ticket_title");
}

/// The view's rows: the ticket on fire, its title read into `headline`.
fn hot_tickets() -> Vec<HotTicket> {
    vec![HotTicket {
        id: 1,
        headline: "boiler".into(),
    }]
}

fn select_hot_tickets() -> String {
    format!("SELECT * FROM {}", HotTicket::QUALIFIED_VIEW)
}

#[tokio::test]
async fn sqlite_reads_rows_through_the_derived_from_row() {
    let mut conn = SqliteConnection::connect("sqlite::memory:")
        .await
        .expect("in-memory sqlite");
    conn.execute(ticket_sql(&Sqlite).as_str())
        .await
        .expect("create");
    for t in tickets() {
        sqlx::query(&insert_ticket(["?", "?", "?", "?"]))
            .bind(t.id)
            .bind(&t.title)
            .bind(t.mood)
            .bind(&t.note)
            .execute(&mut conn)
            .await
            .expect("insert");
    }
    let got = sqlx::query_as::<_, Ticket>(&select_tickets())
        .fetch_all(&mut conn)
        .await
        .expect("select");
    assert_eq!(got, tickets());
    let hot = sqlx::query_as::<_, HotTicket>(&select_hot_tickets())
        .fetch_all(&mut conn)
        .await
        .expect("select the view");
    assert_eq!(hot, hot_tickets());
    // The label, not the variant's name, is what is stored.
    let stored: String = sqlx::query_scalar("SELECT mood FROM tickets WHERE id = 1")
        .fetch_one(&mut conn)
        .await
        .expect("stored label");
    assert_eq!(stored, "on-fire");
    // A text that is no label is a decode error naming the enum.
    let err = sqlx::query_scalar::<_, Mood>("SELECT 'stormy'")
        .fetch_one(&mut conn)
        .await
        .expect_err("no label");
    let message = err.to_string();
    assert!(
        message.contains("\"stormy\" is no label of enum Mood"),
        "{message}"
    );
}

#[tokio::test]
async fn sqlite_example_application_files_and_reads_issues() {
    use issue_tracker::queries::{create_project, insert_issue, issues_in_state, NewIssue};
    use issue_tracker::schema::issues::IssueState;
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .expect("in-memory sqlite");
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/issue-tracker/migrations-sqlite");
    sqlx::migrate::Migrator::new(folder)
        .await
        .expect("the example's migrations")
        .run(&pool)
        .await
        .expect("migrate");
    let project = create_project(&pool, "ada@example.com", "engine")
        .await
        .expect("project");
    for (title, state) in [("a", IssueState::InProgress), ("b", IssueState::Closed)] {
        let new = NewIssue {
            project_id: project.id,
            title,
            state,
            priority: 2,
        };
        let issue = insert_issue(&pool, &new).await.expect("insert");
        assert_eq!((issue.title.as_str(), issue.priority), (title, 2));
    }
    let closed = issues_in_state(&pool, project.id, IssueState::Closed)
        .await
        .expect("select");
    assert_eq!(
        closed.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(),
        ["b"]
    );
    assert!(matches!(closed[0].state, IssueState::Closed));
    let stored: String = sqlx::query_scalar("SELECT state FROM issues WHERE title = 'a'")
        .fetch_one(&pool)
        .await
        .expect("stored label");
    assert_eq!(stored, "in_progress");
}

#[tokio::test]
async fn postgres_reads_rows_through_the_derived_from_row_and_enum_type() {
    let Some(db) = tests::pg::TestDb::create("from_row").await else {
        return;
    };
    let sql = create_sql(
        &Postgres,
        &[Ticket::table_def(), Alert::table_def()],
        &[Mood::enum_def(), Level::enum_def()],
    );
    db.apply(&sql)
        .await
        .unwrap_or_else(|e| panic!("create: {e}\n{sql}"));
    for t in tickets() {
        sqlx::query(&insert_ticket(["$1", "$2", "$3", "$4"]))
            .bind(t.id)
            .bind(&t.title)
            .bind(t.mood)
            .bind(&t.note)
            .execute(&db.pool)
            .await
            .expect("insert");
    }
    let got = sqlx::query_as::<_, Ticket>(&select_tickets())
        .fetch_all(&db.pool)
        .await
        .expect("select");
    assert_eq!(got, tickets());
    let hot = sqlx::query_as::<_, HotTicket>(&select_hot_tickets())
        .fetch_all(&db.pool)
        .await
        .expect("select the view");
    assert_eq!(hot, hot_tickets());
    let stored: String = sqlx::query_scalar("SELECT mood::text FROM tickets WHERE id = 1")
        .fetch_one(&db.pool)
        .await
        .expect("stored label");
    assert_eq!(stored, "on-fire");
    // The enum is the named type: a comparison binds it as `ticket_mood`, not text.
    let calm: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT {} FROM {} WHERE {} = $1",
        Ticket::COLUMNS.id,
        Ticket::TABLE,
        Ticket::COLUMNS.mood
    ))
    .bind(Mood::Calm)
    .fetch_all(&db.pool)
    .await
    .expect("select by enum");
    assert_eq!(calm, [2]);

    let a = Alert::COLUMNS;
    let insert = format!(
        "INSERT INTO {} ({}, {}, {}) VALUES ($1, $2, $3)",
        Alert::QUALIFIED_TABLE,
        a.id,
        a.level,
        a.history
    );
    sqlx::query(&insert)
        .bind(7_i64)
        .bind(Level::High)
        .bind(vec![Level::Low, Level::High])
        .execute(&db.pool)
        .await
        .expect("insert an enum of another schema and an array of it");
    let alerts = sqlx::query_as::<_, Alert>(&format!("SELECT * FROM {}", Alert::QUALIFIED_TABLE))
        .fetch_all(&db.pool)
        .await
        .expect("select alerts");
    assert_eq!(
        alerts,
        [Alert {
            id: 7,
            level: Level::High,
            history: vec![Level::Low, Level::High]
        }]
    );
}

#[tokio::test]
async fn mysql_reads_rows_through_the_derived_from_row() {
    let Some(db) = tests::mysql::TestDb::create("from_row").await else {
        return;
    };
    db.execute(&ticket_sql(&Mysql)).await.expect("create");
    for t in tickets() {
        sqlx::query(&insert_ticket(["?", "?", "?", "?"]))
            .bind(t.id)
            .bind(&t.title)
            .bind(t.mood)
            .bind(&t.note)
            .execute(&db.pool)
            .await
            .expect("insert");
    }
    let got = sqlx::query_as::<_, Ticket>(&select_tickets())
        .fetch_all(&db.pool)
        .await
        .expect("select");
    assert_eq!(got, tickets());
    let hot = sqlx::query_as::<_, HotTicket>(&select_hot_tickets())
        .fetch_all(&db.pool)
        .await
        .expect("select the view");
    assert_eq!(hot, hot_tickets());
}

/// PostgreSQL only: enums whose names the server prints quoted (the keyword `order`, a `$`, the
/// keyword `position` in the schema `user`), so the derived `Type` must spell them as it does.
#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
#[db_enum(name = "order")]
enum OrderState {
    Placed,
    Shipped,
}

#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
#[db_enum(name = "price$kind")]
enum PriceKind {
    Net,
    Gross,
}

#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
#[db_enum(name = "position", schema = "user")]
enum Position {
    Front,
    Back,
}

#[derive(Table, Debug, PartialEq)]
#[table(name = "shipments")]
struct Shipment {
    #[column(primary_key)]
    id: i64,
    state: OrderState,
    price: PriceKind,
    position: Position,
    history: Vec<OrderState>,
}

#[tokio::test]
async fn postgres_reads_enums_whose_names_the_server_quotes() {
    let Some(db) = tests::pg::TestDb::create("from_row_quoted").await else {
        return;
    };
    let enums = [
        Mood::enum_def(),
        OrderState::enum_def(),
        PriceKind::enum_def(),
        Position::enum_def(),
    ];
    let tables = [Ticket::table_def(), Shipment::table_def()];
    let sql = create_sql(&Postgres, &tables, &enums);
    db.apply(&sql)
        .await
        .unwrap_or_else(|e| panic!("create: {e}\n{sql}"));
    let c = Shipment::COLUMNS;
    let insert = format!(
        "INSERT INTO {} ({}, {}, {}, {}, {}) VALUES ($1, $2, $3, $4, $5)",
        Shipment::TABLE,
        c.id,
        c.state,
        c.price,
        c.position,
        c.history
    );
    sqlx::query(&insert)
        .bind(1_i64)
        .bind(OrderState::Shipped)
        .bind(PriceKind::Gross)
        .bind(Position::Back)
        .bind(vec![OrderState::Placed, OrderState::Shipped])
        .execute(&db.pool)
        .await
        .expect("insert");
    let got = sqlx::query_as::<_, Shipment>(&format!("SELECT * FROM {}", Shipment::TABLE))
        .fetch_all(&db.pool)
        .await
        .expect("select through FromRow");
    assert_eq!(
        got,
        [Shipment {
            id: 1,
            state: OrderState::Shipped,
            price: PriceKind::Gross,
            position: Position::Back,
            history: vec![OrderState::Placed, OrderState::Shipped],
        }]
    );
}
