//! drizzle-kit's `rls/pg-policy` cases, translated into the attribute language: each `before`
//! and `after` source is created and migrated with our SQL on one fresh database, drizzle-kit's
//! `from` state and expected statements run on a second, and the two catalogs (with
//! `relrowsecurity` and `pg_policies`) must be equal. drizzle-kit turns row-level security on
//! with a table's first policy; our translation says `rls` where it does.

use tests::source::{create, migration, schema};

/// One case: our sources, drizzle-kit's SQL for its `from` state and its expected statements.
struct Case {
    name: &'static str,
    before: &'static str,
    after: &'static str,
    setup: &'static str,
    expected: &'static str,
}

const USERS: &str = "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY NOT NULL);";
const USERS_TEST: &str = "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY NOT NULL); \
     ALTER TABLE \"users\" ENABLE ROW LEVEL SECURITY; \
     CREATE POLICY \"test\" ON \"users\" AS PERMISSIVE FOR ALL TO public;";

/// The `users` table (`users_name`) with `attrs` above it.
macro_rules! users {
    ($attrs:literal) => {
        concat!(
            "#[derive(Table)]\n",
            $attrs,
            "\npub struct User { #[column(primary_key)] pub id: i32 }\n"
        )
    };
}

const PLAIN: &str = users!("#[table(name = \"users\")]");
const WITH_TEST: &str =
    users!("#[table(name = \"users\", rls)]\n#[policy(name = \"test\", as = \"permissive\")]");

const CASES: &[Case] = &[
    Case {
        name: "pol13_add_enable",
        before: PLAIN,
        after: WITH_TEST,
        setup: USERS,
        expected: "ALTER TABLE \"users\" ENABLE ROW LEVEL SECURITY; \
                   CREATE POLICY \"test\" ON \"users\" AS PERMISSIVE FOR ALL TO public;",
    },
    Case {
        name: "pol13_drop_disable",
        before: WITH_TEST,
        after: PLAIN,
        setup: USERS_TEST,
        expected: "ALTER TABLE \"users\" DISABLE ROW LEVEL SECURITY; \
                   DROP POLICY \"test\" ON \"users\" CASCADE;",
    },
    Case {
        name: "pol13_alter_roles",
        before: WITH_TEST,
        after: users!("#[table(name = \"users\", rls)]\n#[policy(name = \"test\", as = \"permissive\", to = \"current_role\")]"),
        setup: USERS_TEST,
        expected: "ALTER POLICY \"test\" ON \"users\" TO current_role;",
    },
    Case {
        name: "pol13_alter_using",
        before: WITH_TEST,
        after: users!("#[table(name = \"users\", rls)]\n#[policy(name = \"test\", as = \"permissive\", using = \"true\")]"),
        setup: USERS_TEST,
        expected: "ALTER POLICY \"test\" ON \"users\" TO public USING (true);",
    },
    Case {
        name: "pol13_alter_check",
        before: WITH_TEST,
        after: users!("#[table(name = \"users\", rls)]\n#[policy(name = \"test\", as = \"permissive\", with_check = \"true\")]"),
        setup: USERS_TEST,
        expected: "ALTER POLICY \"test\" ON \"users\" TO public WITH CHECK (true);",
    },
    Case {
        name: "pol13_alter_as",
        before: WITH_TEST,
        after: users!("#[table(name = \"users\", rls)]\n#[policy(name = \"test\", as = \"restrictive\")]"),
        setup: USERS_TEST,
        expected: "DROP POLICY \"test\" ON \"users\" CASCADE; \
                   CREATE POLICY \"test\" ON \"users\" AS RESTRICTIVE FOR ALL TO public;",
    },
    Case {
        name: "pol13_alter_for",
        before: WITH_TEST,
        after: users!("#[table(name = \"users\", rls)]\n#[policy(name = \"test\", as = \"permissive\", for = \"delete\")]"),
        setup: USERS_TEST,
        expected: "DROP POLICY \"test\" ON \"users\" CASCADE; \
                   CREATE POLICY \"test\" ON \"users\" AS PERMISSIVE FOR DELETE TO public;",
    },
    Case {
        name: "pol13_rename",
        before: WITH_TEST,
        after: users!("#[table(name = \"users\", rls)]\n#[policy(name = \"newName\", renamed_from = \"test\", as = \"permissive\")]"),
        setup: USERS_TEST,
        expected: "ALTER POLICY \"test\" ON \"users\" RENAME TO \"newName\";",
    },
    Case {
        name: "pol13_create_table",
        before: "",
        after: "#[derive(Table)]\n#[table(name = \"users2\", rls)]\n#[policy(name = \"test\", as = \"permissive\")]\npub struct User { #[column(primary_key)] pub id: i32 }\n",
        setup: "",
        expected: "CREATE TABLE \"users2\" (\"id\" integer PRIMARY KEY NOT NULL); \
                   ALTER TABLE \"users2\" ENABLE ROW LEVEL SECURITY; \
                   CREATE POLICY \"test\" ON \"users2\" AS PERMISSIVE FOR ALL TO public;",
    },
    Case {
        name: "pol13_drop_table",
        before: "#[derive(Table)]\n#[table(name = \"users2\", rls)]\n#[policy(name = \"test\", as = \"permissive\")]\npub struct User { #[column(primary_key)] pub id: i32 }\n",
        after: "",
        setup: "CREATE TABLE \"users2\" (\"id\" integer PRIMARY KEY NOT NULL); \
                ALTER TABLE \"users2\" ENABLE ROW LEVEL SECURITY; \
                CREATE POLICY \"test\" ON \"users2\" AS PERMISSIVE FOR ALL TO public;",
        expected: "DROP POLICY \"test\" ON \"users2\" CASCADE; DROP TABLE \"users2\" CASCADE;",
    },
    Case {
        name: "pol13_rls_only",
        before: "",
        after: users!("#[table(name = \"users\", rls)]"),
        setup: "",
        expected: "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY NOT NULL); \
                   ALTER TABLE \"users\" ENABLE ROW LEVEL SECURITY;",
    },
];

async fn replay(c: &Case) {
    let (a, b) = (schema(c.before), schema(c.after));
    let sql = format!("{}{}", create(&a), migration(&a, &b));
    tests::pg::assert_same_catalog(c.name, &sql, &format!("{} {}", c.setup, c.expected)).await;
}

#[test]
fn drizzle_rls_cases_give_drizzle_kits_catalog() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for case in CASES {
        rt.block_on(replay(case));
    }
}
