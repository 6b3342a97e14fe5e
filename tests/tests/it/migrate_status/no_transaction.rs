//! A failed PostgreSQL `-- no-transaction` file, end to end: sqlx sends it whole as one query
//! string, which PostgreSQL runs in one implicit transaction, so the message says nothing of it
//! remains (and names the statement), unless the file's own COMMIT kept what came before it.

use super::{assert_has, pg_rows, pg_table_exists, Project};
use tests::pg::TestDb;

const ACCOUNTS: &str = "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n";

#[tokio::test(flavor = "multi_thread")]
async fn pg_a_failed_no_transaction_file_with_breakpoints_leaves_nothing() {
    let Some(db) = TestDb::create("no_tx_failed").await else {
        return;
    };
    let p = Project::new("postgres");
    p.write(1, "create_accounts", ACCOUNTS);
    p.write(
        2,
        "half",
        "-- no-transaction\nCREATE TABLE made_by_two (id int);\n--> statement-breakpoint\nINSERT INTO nowhere VALUES (1);\n",
    );
    let run = p.migrate(&db.url).await;
    assert_has(
        &run,
        1,
        &[
            "migration migrations/2_half.sql:4 failed at statement 2: relation \"nowhere\" does not exist",
            "runs a query string in one implicit transaction, so the failure rolled all of it back: nothing of this migration remains and nothing was recorded",
        ],
    );
    assert!(
        !run.text().contains("before the failing one remain"),
        "{run:#?}"
    );
    assert!(!pg_table_exists(&db.pool, "made_by_two").await);
    assert_eq!(pg_rows(&db.pool).await.len(), 1);

    // A concurrent build cannot run in the implicit transaction of several statements: the
    // file fails at it, and the table before it is rolled back too.
    p.write(
        2,
        "half",
        "-- no-transaction\nCREATE TABLE made_by_two (id int);\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY two_idx ON made_by_two (id);\n",
    );
    let run = p.migrate(&db.url).await;
    assert_has(
        &run,
        1,
        &[
            "migration migrations/2_half.sql:4 failed at statement 2: CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
            "nothing of this migration remains",
            "put it alone in a -- no-transaction file of its own",
        ],
    );
    assert!(!pg_table_exists(&db.pool, "made_by_two").await);
    assert_eq!(pg_rows(&db.pool).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn pg_a_no_transaction_file_that_commits_keeps_what_it_committed() {
    let Some(db) = TestDb::create("no_tx_commit").await else {
        return;
    };
    let p = Project::new("postgres");
    p.write(1, "create_accounts", ACCOUNTS);
    p.write(
        2,
        "commits",
        "-- no-transaction\nCREATE TABLE kept (id int);\n--> statement-breakpoint\nCOMMIT;\n--> statement-breakpoint\nCREATE TABLE lost (id int);\n--> statement-breakpoint\nINSERT INTO nowhere VALUES (1);\n",
    );
    let run = p.migrate(&db.url).await;
    assert_has(
        &run,
        1,
        &[
            "migration migrations/2_commits.sql:8 failed at statement 4",
            "which the file's own transaction command at line 4 ends early: what the file committed before the failing statement remains, and what ran after its last commit was rolled back",
        ],
    );
    assert!(pg_table_exists(&db.pool, "kept").await);
    assert!(!pg_table_exists(&db.pool, "lost").await);
    assert_eq!(pg_rows(&db.pool).await.len(), 1);
}
