//! Every kind of change, applied to a real PostgreSQL: a database built by `create(A)` then the
//! migration `A → B` must have the same catalog as one built by `create(B)`, and rows inserted
//! before the migration must still be there after renames and type changes.

use tests::pg::TestDb;
use tests::source::{create, migration, schema};

/// One case: the schema before and after, rows to insert before the migration, and a query
/// whose single text result after the migration must equal `expect`.
struct Case {
    name: &'static str,
    before: &'static str,
    after: &'static str,
    rows: &'static str,
    query: &'static str,
    expect: &'static str,
}

const fn case(name: &'static str, before: &'static str, after: &'static str) -> Case {
    Case {
        name,
        before,
        after,
        rows: "",
        query: "",
        expect: "",
    }
}

const fn with_rows(
    mut c: Case,
    rows: &'static str,
    query: &'static str,
    expect: &'static str,
) -> Case {
    c.rows = rows;
    c.query = query;
    c.expect = expect;
    c
}

async fn run(c: &Case) {
    let (a, b) = (schema(c.before), schema(c.after));
    let step = migration(&a, &b);
    let Some(migrated) = TestDb::create(c.name).await else {
        return;
    };
    let Some(direct) = TestDb::create(c.name).await else {
        return;
    };
    migrated
        .apply(&create(&a))
        .await
        .unwrap_or_else(|e| panic!("{}: create(A) failed: {e}", c.name));
    if !c.rows.is_empty() {
        migrated
            .apply(c.rows)
            .await
            .unwrap_or_else(|e| panic!("{}: rows failed: {e}", c.name));
    }
    migrated
        .apply(&step)
        .await
        .unwrap_or_else(|e| panic!("{}: migration failed: {e}\n{step}", c.name));
    direct
        .apply(&create(&b))
        .await
        .unwrap_or_else(|e| panic!("{}: create(B) failed: {e}", c.name));
    let (got, want) = (migrated.catalog().await, direct.catalog().await);
    assert_eq!(
        got, want,
        "{}: catalog after the migration differs from create(B)\n{step}",
        c.name
    );
    if !c.query.is_empty() {
        let value: String = sqlx::query_scalar(c.query)
            .fetch_one(&migrated.pool)
            .await
            .unwrap_or_else(|e| panic!("{}: query failed: {e}", c.name));
        assert_eq!(value, c.expect, "{}: rows after the migration", c.name);
    }
}

macro_rules! cases {
    ($($test:ident => $case:expr;)*) => {$(
        #[tokio::test]
        async fn $test() {
            run(&$case).await;
        }
    )*};
}

const ACCOUNT: &str = r#"
#[derive(Table)] #[table(name = "accounts")]
struct Account { #[column(primary_key)] id: i64, email: String }
"#;

cases! {
    create_table => case("create_table", "", ACCOUNT);
    drop_table => case("drop_table", ACCOUNT, "");
    rename_table => with_rows(case("rename_table", ACCOUNT, r#"
        #[derive(Table)] #[table(name = "users", renamed_from = "accounts")]
        struct Account { #[column(primary_key)] id: i64, #[column(unique)] email: String }
    "#), "INSERT INTO accounts VALUES (1, 'a@x')", "SELECT email FROM users WHERE id = 1", "a@x");
    create_schema => case("create_schema", "", r#"
        #[derive(Table)] #[table(name = "events", schema = "audit")]
        struct Event { #[column(primary_key)] id: i64 }
    "#);
    drop_schema => case("drop_schema", r#"
        #[derive(Table)] #[table(name = "events", schema = "audit")]
        struct Event { #[column(primary_key)] id: i64 }
    "#, "");
    not_null_with_default_fills_the_nulls => with_rows(case("not_null_with_default_fills_the_nulls", r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, nickname: Option<String> }
    "#, r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, #[column(default = "none")] nickname: String }
    "#), "INSERT INTO t VALUES (1, NULL), (2, 'bo')", "SELECT string_agg(nickname, ',' ORDER BY id) FROM t", "none,bo");
    rename_schema => with_rows(case("rename_schema", r#"
        #[derive(DbEnum)] #[db_enum(name = "kind", schema = "audit")] enum Kind { Login, Logout }
        #[derive(Table)] #[table(name = "events", schema = "audit")] #[index(columns(at))]
        struct Event { #[column(primary_key, identity)] id: i64, kind: Kind, at: i32 }
        #[derive(Table)] #[table(name = "sessions", schema = "audit")]
        struct Session { #[column(primary_key)] id: i64, #[column(references = Event::id)] event_id: i64 }
    "#, r#"
        #[derive(DbEnum)] #[db_enum(name = "kind", schema = "archive", renamed_from = "audit.kind")] enum Kind { Login, Logout }
        #[derive(Table)] #[table(name = "events", schema = "archive", renamed_from = "audit.events")] #[index(columns(at))]
        struct Event { #[column(primary_key, identity)] id: i64, kind: Kind, at: i32 }
        #[derive(Table)] #[table(name = "visits", schema = "archive", renamed_from = "audit.sessions")]
        struct Session { #[column(primary_key)] id: i64, #[column(references = Event::id)] event_id: i64 }
    "#), "INSERT INTO audit.events (kind, at) VALUES ('login', 1); INSERT INTO audit.sessions VALUES (5, 1)",
        "SELECT v.id || e.kind::text FROM archive.visits v JOIN archive.events e ON e.id = v.event_id", "5login");
    move_table_schema => with_rows(case("move_table_schema", ACCOUNT, r#"
        #[derive(Table)] #[table(name = "accounts", schema = "auth", renamed_from = "public.accounts")]
        struct Account { #[column(primary_key)] id: i64, email: String }
    "#), "INSERT INTO accounts VALUES (1, 'a@x')", "SELECT email FROM auth.accounts", "a@x");
    add_column => case("add_column", ACCOUNT, r#"
        #[derive(Table)] #[table(name = "accounts")]
        struct Account { #[column(primary_key)] id: i64, email: String, #[column(default = 0)] logins: i32, bio: Option<String> }
    "#);
    drop_column => case("drop_column", r#"
        #[derive(Table)] #[table(name = "accounts")]
        struct Account { #[column(primary_key)] id: i64, email: String, bio: Option<String> }
    "#, ACCOUNT);
    rename_column => with_rows(case("rename_column", ACCOUNT, r#"
        #[derive(Table)] #[table(name = "accounts")]
        struct Account { #[column(primary_key)] id: i64, #[column(renamed_from = "email")] email_address: String }
    "#), "INSERT INTO accounts VALUES (1, 'a@x')", "SELECT email_address FROM accounts", "a@x");
    change_type => with_rows(case("change_type", r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i32, n: i32, label: String }
    "#, r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, n: String, #[column(sql_type = "varchar(40)")] label: String }
    "#), "INSERT INTO t VALUES (7, 42, 'x')", "SELECT n || label || id FROM t", "42x7");
    set_and_drop_not_null => case("set_and_drop_not_null", r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, a: Option<String>, b: String }
    "#, r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, a: String, b: Option<String> }
    "#);
    defaults => case("defaults", r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, #[column(default = 1)] a: i32, b: bool, #[column(default = "x")] c: String }
    "#, r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, #[column(default = 2)] a: i32, #[column(default = true)] b: bool, c: String }
    "#);
    identity => case("identity", r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, #[column(identity)] n: i32 }
    "#, r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key, identity)] id: i64, n: i32 }
    "#);
    composite_primary_key => with_rows(case("composite_primary_key", r#"
        #[derive(Table)] #[table(name = "m")]
        struct M { #[column(primary_key)] a: i64, b: i64 }
    "#, r#"
        #[derive(Table)] #[table(name = "m")] #[primary_key(a, b)]
        struct M { a: i64, b: i64 }
    "#), "INSERT INTO m VALUES (1, 2)", "SELECT (a + b)::text FROM m", "3");
    unique_constraints => case("unique_constraints", ACCOUNT, r#"
        #[derive(Table)] #[table(name = "accounts")] #[unique(columns(id, email), name = "accounts_pair_key")]
        struct Account { #[column(primary_key)] id: i64, #[column(unique)] email: String }
    "#);
    indexes => case("indexes", r#"
        #[derive(Table)] #[table(name = "t")] #[index(columns(a))] #[index(columns(b), unique)]
        struct T { #[column(primary_key)] id: i64, a: i32, b: i32, tags: Vec<String> }
    "#, r#"
        #[derive(Table)] #[table(name = "t")] #[index(columns(a, b))] #[index(columns(b), unique, predicate = "a > 0")]
        #[index(columns(tags), using = "gin")]
        struct T { #[column(primary_key)] id: i64, #[column(index)] a: i32, b: i32, tags: Vec<String> }
    "#);
    foreign_keys => case("foreign_keys", r#"
        #[derive(Table)] #[table(name = "accounts")]
        struct Account { #[column(primary_key)] id: i64 }
        #[derive(Table)] #[table(name = "projects")]
        struct Project { #[column(primary_key)] id: i64, owner_id: i64, #[column(references = Account::id)] editor_id: i64 }
    "#, r#"
        #[derive(Table)] #[table(name = "accounts")]
        struct Account { #[column(primary_key)] id: i64 }
        #[derive(Table)] #[table(name = "projects")]
        struct Project { #[column(primary_key)] id: i64, #[column(references = Account::id, on_delete = "cascade")] owner_id: i64,
            #[column(references = Account::id, on_delete = "set null", on_update = "cascade")] editor_id: Option<i64> }
    "#);
    foreign_key_cycle => case("foreign_key_cycle", "", r#"
        #[derive(Table)] #[table(name = "a")]
        struct A { #[column(primary_key)] id: i64, #[column(references = B::id)] b_id: Option<i64> }
        #[derive(Table)] #[table(name = "b")]
        struct B { #[column(primary_key)] id: i64, #[column(references = A::id)] a_id: Option<i64>, #[column(references = B::id)] parent: Option<i64> }
    "#);
    drop_foreign_key_cycle => case("drop_foreign_key_cycle", r#"
        #[derive(Table)] #[table(name = "a")]
        struct A { #[column(primary_key)] id: i64, #[column(references = B::id)] b_id: Option<i64> }
        #[derive(Table)] #[table(name = "b")]
        struct B { #[column(primary_key)] id: i64, #[column(references = A::id)] a_id: Option<i64> }
    "#, "");
    checks => case("checks", r#"
        #[derive(Table)] #[table(name = "t")] #[check(name = "t_a_check", expr = "a > 0")]
        struct T { #[column(primary_key)] id: i64, a: i32 }
    "#, r#"
        #[derive(Table)] #[table(name = "t")] #[check(name = "t_a_check", expr = "a > 1")] #[check(expr = "id > 0")]
        struct T { #[column(primary_key)] id: i64, a: i32 }
    "#);
    create_enum => case("create_enum", "", r#"
        #[derive(DbEnum)] enum State { Open, Closed }
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, #[column(default = "open")] s: State, history: Vec<State> }
    "#);
    drop_enum => case("drop_enum", r#"
        #[derive(DbEnum)] enum State { Open, Closed }
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, s: State }
    "#, r#"
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64 }
    "#);
    add_enum_value => with_rows(case("add_enum_value", r#"
        #[derive(DbEnum)] enum State { Open, Closed }
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, s: State }
    "#, r#"
        #[derive(DbEnum)] enum State { Draft, Open, InReview, Closed, Archived }
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, s: State }
    "#), "INSERT INTO t VALUES (1, 'closed')", "SELECT s::text FROM t", "closed");
    remove_enum_value => with_rows(case("remove_enum_value", r#"
        #[derive(DbEnum)] enum State { Open, Stale, Closed }
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, #[column(default = "open")] s: State, h: Vec<State> }
    "#, r#"
        #[derive(DbEnum)] enum State { Closed, Open }
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, #[column(default = "open")] s: State, h: Vec<State> }
    "#), "INSERT INTO t VALUES (1, 'closed', '{open}')", "SELECT s::text || h::text FROM t", "closed{open}");
    rename_enum => case("rename_enum", r#"
        #[derive(DbEnum)] enum State { Open, Closed }
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, s: State }
    "#, r#"
        #[derive(DbEnum)] #[db_enum(name = "issue_state", renamed_from = "state")] enum State { Open, Closed }
        #[derive(Table)] #[table(name = "t")]
        struct T { #[column(primary_key)] id: i64, s: State }
    "#);
    rename_table_keeps_constraint_names => case("rename_table_keeps_constraint_names", r#"
        #[derive(Table)] #[table(name = "accounts")]
        struct Account { #[column(primary_key)] id: i64, #[column(unique, index)] email: String }
        #[derive(Table)] #[table(name = "projects")]
        struct Project { #[column(primary_key)] id: i64, #[column(references = Account::id)] owner_id: i64 }
    "#, r#"
        #[derive(Table)] #[table(name = "users", renamed_from = "accounts")]
        struct Account { #[column(primary_key)] id: i64, #[column(unique, index, renamed_from = "email")] mail: String }
        #[derive(Table)] #[table(name = "projects")]
        struct Project { #[column(primary_key)] id: i64, #[column(references = Account::id, renamed_from = "owner_id")] user_id: i64 }
    "#);
}

/// PostgreSQL refuses a foreign key to a column that is neither the primary key nor unique;
/// resolve refuses it first, naming the field and what to do.
#[test]
fn a_reference_to_a_column_that_is_not_unique_is_refused() {
    let mut scanned = migrate_cli::scan::Scanned::default();
    let mut errors = Vec::new();
    migrate_cli::scan::scan_source(
        std::path::Path::new("case.rs"),
        r#"#[derive(Table)] #[table(name = "t")] struct T { #[column(primary_key)] id: i64, code: i32 }
        #[derive(Table)] #[table(name = "k")] struct K { #[column(primary_key)] id: i64, #[column(references = T::code)] code: i32 }"#,
        &mut scanned,
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let message = scanned.resolve().expect_err("accepted").to_string();
    assert!(
        message.contains(
            "field `code` references `T::code`, which is neither the primary key of `T` nor unique"
        ),
        "{message}"
    );
}

/// Two type changes, a filled NOT NULL and a new check on `order_items`: one `ALTER TABLE`
/// after the `UPDATE` that fills the NULLs, so the table is rewritten once, and the rows keep
/// their values.
#[tokio::test]
async fn changes_to_one_table_apply_as_one_alter_table() {
    let c = with_rows(
        case(
            "changes_to_one_table_apply_as_one_alter_table",
            r#"
        #[derive(Table)] #[table(name = "order_items")]
        struct OrderItem { #[column(primary_key)] id: i64, quantity: i32, price: f32, note: Option<String> }
    "#,
            r#"
        #[derive(Table)] #[table(name = "order_items")] #[check(expr = "quantity > 0")]
        struct OrderItem { #[column(primary_key)] id: i64, quantity: i64, price: f64, #[column(default = "none")] note: String }
    "#,
        ),
        "INSERT INTO order_items VALUES (1, 3, 1.5, NULL), (2, 4, 2.25, 'gift')",
        "SELECT string_agg(quantity || ':' || price || ':' || note, ',' ORDER BY id) FROM order_items",
        "3:1.5:none,4:2.25:gift",
    );
    let step = migration(&schema(c.before), &schema(c.after));
    assert_eq!(step.matches("ALTER TABLE").count(), 1, "{step}");
    assert!(step.starts_with("UPDATE"), "{step}");
    run(&c).await;
}
