//! How `migrate` cuts a MySQL file into statements, end to end on MariaDB: text the old
//! byte scanner could not read (non-ASCII names), executable comments, tables named like the
//! objects that hold bodies, a trigger body, and files that cannot be split, which are refused
//! before anything runs or is recorded.

use super::{assert_has, rows, table_exists, Project};
use tests::mysql::TestDb;

#[tokio::test(flavor = "multi_thread")]
async fn mysql_non_ascii_names_outside_quotes_are_applied() {
    let Some(db) = TestDb::create("split_non_ascii").await else {
        return;
    };
    let p = Project::new();
    p.write(1, "donnees", "CREATE TABLE données (id int); SELECT 1;\n");
    p.write(
        2,
        "comptes",
        "CREATE TABLE comptes (`montant_€` int, CONSTRAINT comptes_montant_check CHECK (montant_€ >= 0));\n",
    );
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(&run, 0, &["applied 2 migration(s)"]);
    let recorded: Vec<(i64, bool)> = rows(&db.pool).await.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(recorded, [(1, true), (2, true)]);
    assert!(table_exists(&db.pool, "données").await);
    assert!(table_exists(&db.pool, "comptes").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn mysql_an_executable_comment_runs() {
    let Some(db) = TestDb::create("split_exec").await else {
        return;
    };
    let p = Project::new();
    p.write(
        1,
        "exec",
        "CREATE TABLE t_before (a int);\n/*!50001 CREATE TABLE t_exec (a int) */;\n/* a plain comment; */\nCREATE TABLE t_after (a int);\n",
    );
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    assert!(table_exists(&db.pool, "t_before").await);
    assert!(table_exists(&db.pool, "t_exec").await, "{run:#?}");
    assert!(table_exists(&db.pool, "t_after").await);
    assert_eq!(rows(&db.pool).await.len(), 1);
}

/// A table named `event` is not an event definition: the file is cut at its `;`s, so a
/// failure says truly which statements ran.
#[tokio::test(flavor = "multi_thread")]
async fn mysql_tables_named_like_events_are_run_statement_by_statement() {
    let Some(db) = TestDb::create("split_event").await else {
        return;
    };
    let p = Project::new();
    p.write(
        1,
        "events",
        "CREATE TABLE event (id int);\nCREATE TABLE `procedure` (id int);\nCREATE TABLE event (id int);\nCREATE TABLE never_made (id int);\n",
    );
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        1,
        &[
            "migrations/1_events.sql:3 failed at statement 3: Table 'event' already exists",
            "statements 1 to 2 ran and remain; statement 3 failed; statement 4 did not run",
            "version 1 with success = false",
        ],
    );
    assert!(!run.text().contains("nothing of this migration ran"));
    assert!(table_exists(&db.pool, "event").await);
    assert!(table_exists(&db.pool, "procedure").await);
    assert!(!table_exists(&db.pool, "never_made").await);
    let recorded: Vec<(i64, bool)> = rows(&db.pool).await.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(recorded, [(1, false)]);
}

/// A trigger's `BEGIN ... END` body is sent whole with its statement, the statements around it
/// on their own.
#[tokio::test(flavor = "multi_thread")]
async fn mysql_a_trigger_body_is_sent_whole() {
    let Some(db) = TestDb::create("split_trigger").await else {
        return;
    };
    let p = Project::new();
    let sql = "CREATE TABLE t (a int, b int);\n\
               CREATE TRIGGER t_fill BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  IF NEW.a IS NULL THEN SET NEW.a = 1; END IF;\n  SET NEW.b = NEW.a + 1;\nEND;\n\
               INSERT INTO t (a) VALUES (NULL);\n";
    p.write(1, "trigger", sql);
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    let row: (i32, i32) = sqlx::query_as("SELECT a, b FROM t")
        .fetch_one(&db.pool)
        .await
        .expect("the trigger filled the row");
    assert_eq!(row, (1, 2));
}

/// A file that cannot be split is refused with its line before anything runs, and no row is
/// written for it.
#[tokio::test(flavor = "multi_thread")]
async fn mysql_a_file_that_cannot_be_split_is_refused_before_anything_runs() {
    let Some(db) = TestDb::create("split_refused").await else {
        return;
    };
    let p = Project::new();
    p.write(
        1,
        "open_quote",
        "CREATE TABLE never_made (id int);\nSELECT 'open;\n",
    );
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        1,
        &[
            "migration migrations/1_open_quote.sql:2 cannot be cut into statements",
            "close the quote or comment",
            "nothing of it ran and nothing was recorded",
        ],
    );
    assert!(!table_exists(&db.pool, "never_made").await);
    assert!(rows(&db.pool).await.is_empty());

    p.write(
        1,
        "open_quote",
        "CREATE TABLE never_made (id int);\n\nDELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER ;\n",
    );
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(
        &run,
        1,
        &[
            "migration migrations/1_open_quote.sql:3 cannot be cut into statements: DELIMITER is a command of the mysql client, not SQL",
        ],
    );
    assert!(!table_exists(&db.pool, "never_made").await);
    assert!(rows(&db.pool).await.is_empty());
}

/// An executable comment for a newer server holds nothing this server runs.
#[tokio::test(flavor = "multi_thread")]
async fn mysql_an_executable_comment_for_a_newer_server_is_skipped_by_the_server() {
    let Some(db) = TestDb::create("split_exec_newer").await else {
        return;
    };
    let p = Project::new();
    p.write(
        1,
        "newer",
        "CREATE TABLE t_before (a int);\n/*!999999 CREATE TABLE t_newer (a int) */;\nCREATE TABLE t_after (a int);\n",
    );
    let run = p.run(&["migrate", "--url", &db.url]).await;
    assert_has(&run, 0, &["applied 1 migration(s)"]);
    assert!(!table_exists(&db.pool, "t_newer").await);
    assert!(table_exists(&db.pool, "t_after").await);
}
