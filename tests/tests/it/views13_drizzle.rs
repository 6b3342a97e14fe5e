//! Issue 13, views: drizzle-kit's `pg-views` cases (its `tests/pg-views.test.ts`), translated
//! into the attribute language and applied on PostgreSQL, give the catalog drizzle-kit's
//! expected SQL gives (views, their kind, `pg_get_viewdef` and their columns in
//! `tests::pg`'s dump). Cases with `.with(..)` options, `tablespace`, `using`, `WITH NO DATA`
//! or `.existing()` are left out: the attribute language has none of them.

use tests::source::{create, migration, schema};

/// One drizzle-kit case: our `before` and `after` sources, migrated by our SQL, against
/// drizzle-kit's SQL for its `from` state (`setup`) and its expected statements (`expected`).
/// drizzle-kit's cases read a `users` table they do not always declare; both sides declare it.
struct Drizzle {
    name: &'static str,
    before: &'static str,
    after: &'static str,
    setup: &'static str,
    expected: &'static str,
}

const USERS: &str = r#"#[derive(Table)] #[table(name = "users")] struct User { #[column(primary_key, sql_type = "integer")] id: i32 }"#;
const DRIZZLE_USERS: &str = "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY NOT NULL);";

async fn drizzle(c: &Drizzle) {
    let (a, b) = (
        schema(&format!("{USERS}\n{}", c.before)),
        schema(&format!("{USERS}\n{}", c.after)),
    );
    let sql = format!("{}{}", create(&a), migration(&a, &b));
    let theirs = format!("{DRIZZLE_USERS}{}{}", c.setup, c.expected);
    tests::pg::assert_same_catalog(c.name, &sql, &theirs).await;
}

const VIEW: &str = r#"#[derive(View)] #[view(name = "some_view", sql = "SELECT * FROM \"users\"")] struct V { id: i32 }"#;
const MAT: &str = r#"#[derive(View)] #[view(name = "some_view", materialized, sql = "SELECT * FROM \"users\"")] struct V { id: i32 }"#;
const DRIZZLE_VIEW: &str = "CREATE VIEW \"public\".\"some_view\" AS (SELECT * FROM \"users\");";
const DRIZZLE_MAT: &str =
    "CREATE MATERIALIZED VIEW \"public\".\"some_view\" AS (SELECT * FROM \"users\");";

macro_rules! drizzle_cases {
    ($($test:ident => $case:expr;)*) => {$(
        #[tokio::test]
        async fn $test() {
            drizzle(&$case).await;
        }
    )*};
}

drizzle_cases! {
    // `pgView('some_view').as((qb) => qb.select().from(users))`: drizzle-kit writes the query.
    drizzle_create_table_and_view_1 => Drizzle {
        name: "view13_create_1", before: "",
        after: r#"#[derive(View)] #[view(name = "some_view", sql = "select \"id\" from \"users\"")] struct V { id: i32 }"#,
        setup: "", expected: "CREATE VIEW \"public\".\"some_view\" AS (select \"id\" from \"users\");",
    };
    drizzle_create_table_and_view_2 => Drizzle {
        name: "view13_create_2", before: "", after: VIEW, setup: "", expected: DRIZZLE_VIEW,
    };
    drizzle_create_table_and_materialized_view_1 => Drizzle {
        name: "view13_create_mat_1", before: "",
        after: r#"#[derive(View)] #[view(name = "some_view", materialized, sql = "select \"id\" from \"users\"")] struct V { id: i32 }"#,
        setup: "", expected: "CREATE MATERIALIZED VIEW \"public\".\"some_view\" AS (select \"id\" from \"users\");",
    };
    drizzle_create_table_and_materialized_view_2 => Drizzle {
        name: "view13_create_mat_2", before: "", after: MAT, setup: "", expected: DRIZZLE_MAT,
    };
    drizzle_drop_view_1 => Drizzle {
        name: "view13_drop", before: VIEW, after: "", setup: DRIZZLE_VIEW,
        expected: "DROP VIEW \"public\".\"some_view\";",
    };
    drizzle_drop_materialized_view_1 => Drizzle {
        name: "view13_drop_mat", before: MAT, after: "", setup: DRIZZLE_MAT,
        expected: "DROP MATERIALIZED VIEW \"public\".\"some_view\";",
    };
    drizzle_rename_view_1 => Drizzle {
        name: "view13_rename", before: VIEW,
        after: r#"#[derive(View)] #[view(name = "new_some_view", renamed_from = "some_view", sql = "SELECT * FROM \"users\"")] struct V { id: i32 }"#,
        setup: DRIZZLE_VIEW,
        expected: "ALTER VIEW \"public\".\"some_view\" RENAME TO \"new_some_view\";",
    };
    drizzle_rename_materialized_view_1 => Drizzle {
        name: "view13_rename_mat", before: MAT,
        after: r#"#[derive(View)] #[view(name = "new_some_view", materialized, renamed_from = "some_view", sql = "SELECT * FROM \"users\"")] struct V { id: i32 }"#,
        setup: DRIZZLE_MAT,
        expected: "ALTER MATERIALIZED VIEW \"public\".\"some_view\" RENAME TO \"new_some_view\";",
    };
    drizzle_view_alter_schema => Drizzle {
        name: "view13_schema", before: VIEW,
        after: r#"#[derive(View)] #[view(name = "some_view", schema = "new_schema", renamed_from = "public.some_view", sql = "SELECT * FROM \"users\"")] struct V { id: i32 }"#,
        setup: DRIZZLE_VIEW,
        expected: "CREATE SCHEMA \"new_schema\"; ALTER VIEW \"public\".\"some_view\" SET SCHEMA \"new_schema\";",
    };
    drizzle_view_alter_schema_for_materialized => Drizzle {
        name: "view13_schema_mat", before: MAT,
        after: r#"#[derive(View)] #[view(name = "some_view", schema = "new_schema", materialized, renamed_from = "public.some_view", sql = "SELECT * FROM \"users\"")] struct V { id: i32 }"#,
        setup: DRIZZLE_MAT,
        expected: "CREATE SCHEMA \"new_schema\"; ALTER MATERIALIZED VIEW \"public\".\"some_view\" SET SCHEMA \"new_schema\";",
    };
}
