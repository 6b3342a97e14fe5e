//! What a new-user trial of the review gate found (issue 10): a journal entry without its
//! file stops `migrate` as it stops `check`, a fork gets the same advice from both, a misplaced
//! `-- no-transaction` cannot be overridden, `check --since` gates modified migrations too.
//! On PostgreSQL, SQLite and MariaDB where it applies.

use crate::gate::git;
use crate::verdict::{
    generate, problems, project, refused_alike, snapshot, sql, write_journal, Db, ACCOUNTS,
    COMMENTS, DIALECTS,
};
use std::fs;
use tests::project::{copy_dir, NOW};

#[test]
fn a_journal_entry_without_its_file_stops_migrate_and_shows_in_status() {
    for dialect in DIALECTS {
        let p = project(dialect, ACCOUNTS);
        generate(&p, ACCOUNTS, NOW);
        let Some(db) = Db::new(dialect, "trial_unfiled") else {
            continue;
        };
        let url = db.url();
        let first = p.run(&["migrate", "--url", &url], NOW + 50);
        assert_eq!(first.code, 0, "{dialect}: {}", first.text());
        let gone = generate(&p, &format!("{ACCOUNTS}{COMMENTS}"), NOW + 100);
        // The second migration is pending; its file is lost.
        fs::remove_file(sql(&p, &gone)).expect("remove");
        let check = p.run(&["check", "--url", &url, "--format", "json"], NOW + 1000);
        let missing = problems(&check, "missing-file");
        assert_eq!(missing.len(), 1, "{dialect}: {}", check.text());
        let run = refused_alike(&p, &url, &[]);
        assert!(
            run.stderr
                .contains(&format!("missing-file: {}", missing[0])),
            "{dialect}: migrate gives check's line:\n{}",
            run.stderr
        );
        let status = p.run(&["status", "--url", &url], NOW + 1000);
        assert_eq!(status.code, 0, "{dialect}: {}", status.text());
        assert!(
            status.stdout.contains("2 migrations: 1 applied, 1 missing")
                && status.stdout.contains(&format!(
                    "its file migrations/{gone}.sql is not in migrations"
                )),
            "{dialect}: {}",
            status.stdout
        );
    }
}

/// `accounts` with one more column, `name`.
fn accounts_with(column: &str) -> String {
    ACCOUNTS.replace(
        "pub email: String,",
        &format!("pub email: String,\n    pub {column}: Option<String>,"),
    )
}

#[test]
fn a_fork_on_the_same_table_gets_checks_advice_from_migrate() {
    for dialect in DIALECTS {
        let p = project(dialect, ACCOUNTS);
        generate(&p, ACCOUNTS, NOW);
        let q = project(dialect, ACCOUNTS);
        copy_dir(&p.migrations(), &q.migrations());
        generate(&p, &accounts_with("nick"), NOW + 100);
        let b = generate(&q, &accounts_with("phone"), NOW + 200);
        fs::copy(sql(&q, &b), sql(&p, &b)).expect("merge sql");
        fs::copy(snapshot(&q, &b), snapshot(&p, &b)).expect("merge snapshot");
        let mut journal = p.journal();
        journal.push(&b, q.journal().entries.last().expect("entry").when);
        write_journal(&p, &journal);
        let Some(db) = Db::new(dialect, "trial_fork") else {
            continue;
        };
        let url = db.url();
        let check = p.run(&["check", "--url", &url, "--format", "json"], NOW + 1000);
        let forks = problems(&check, "forked-history");
        assert_eq!(forks.len(), 1, "{dialect}: {}", check.text());
        assert!(
            forks[0].contains("their changes touch the same objects (")
                && forks[0].contains("accounts)"),
            "{dialect}: {}",
            forks[0]
        );
        let run = refused_alike(&p, &url, &[]);
        assert!(
            run.stderr
                .contains(&format!("forked-history: {}", forks[0])),
            "{dialect}: migrate gives check's advice:\n{}",
            run.stderr
        );
    }
}

#[test]
fn allow_lint_errors_does_not_override_a_misplaced_no_transaction() {
    for dialect in DIALECTS {
        let p = project(dialect, ACCOUNTS);
        generate(&p, ACCOUNTS, NOW);
        let custom = p.run(&["generate", "--custom", "--name", "by_hand"], NOW + 100);
        assert_eq!(custom.code, 0, "{dialect}: {}", custom.text());
        let tag = p.journal().entries.last().expect("entry").tag.clone();
        let body =
            "-- written by hand\n-- no-transaction\nCREATE TABLE extra (id INTEGER PRIMARY KEY);\n";
        fs::write(sql(&p, &tag), body).expect("sql");
        let Some(db) = Db::new(dialect, "trial_misplaced") else {
            continue;
        };
        let url = db.url();
        let run = refused_alike(&p, &url, &["--allow-lint-errors"]);
        assert!(
            run.stderr.contains("misplaced-no-transaction")
                && run
                    .stderr
                    .contains("a `-- no-transaction` line is not the first line")
                && run
                    .stderr
                    .contains("move the -- no-transaction line to the very first line"),
            "{dialect}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("lint:allow") && !run.stderr.contains("--allow-lint-errors"),
            "{dialect}: no allow line or flag accepts it:\n{}",
            run.stderr
        );
        let consequence = match dialect {
            "mysql" => "statement by statement",
            _ => "so sqlx runs the file inside a transaction",
        };
        assert!(
            run.stderr.contains(consequence),
            "{dialect}: {}",
            run.stderr
        );
        assert!(!db.has_table("extra"), "{dialect}: nothing was applied");
    }
}

/// `check --since <ref>` gates the migrations modified since the ref too, and says that a
/// database that applied one will refuse it; what the ref's branch changed after this branch
/// left it is not this branch's change.
#[test]
fn since_gates_a_merged_migration_modified_after_the_ref() {
    let p = project("sqlite", ACCOUNTS);
    let tag = generate(&p, ACCOUNTS, NOW);
    git(&p, &["init", "-q", "-b", "main"]);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "merged"]);
    git(&p, &["checkout", "-q", "-b", "feature"]);
    let path = sql(&p, &tag);
    let merged = fs::read_to_string(&path).expect("sql");
    fs::write(&path, format!("{merged}\nDROP TABLE victim;\n")).expect("sql");
    for committed in [false, true] {
        if committed {
            git(&p, &["commit", "-q", "-am", "edit a merged migration"]);
        }
        let check = p.run(&["check", "--since", "main"], NOW + 10_000);
        assert_eq!(check.code, 1, "committed {committed}: {}", check.text());
        let text = check.text();
        assert!(
            text.contains("error drop-table")
                && text.contains(&format!("modified-migration: migration {tag}"))
                && text.contains(&format!("repair --checksum {}", &tag[..14])),
            "committed {committed}: {text}"
        );
    }
    // The ref's branch edits the file after this branch left it: not this branch's change.
    git(&p, &["checkout", "-q", "main"]);
    fs::write(&path, format!("{merged}\n-- a note\n")).expect("sql");
    git(&p, &["commit", "-q", "-am", "main moves on"]);
    git(&p, &["checkout", "-q", "-b", "other", "HEAD~1"]);
    let check = p.run(&["check", "--since", "main"], NOW + 10_000);
    assert_eq!(check.code, 0, "{}", check.text());
}

/// `check --format json` gives each finding's line: the statement's, `null` for a finding only
/// a comment line gives.
#[test]
fn check_json_findings_have_their_line() {
    for dialect in DIALECTS {
        let p = project(dialect, ACCOUNTS);
        generate(&p, ACCOUNTS, NOW);
        let custom = p.run(&["generate", "--custom", "--name", "by_hand"], NOW + 100);
        assert_eq!(custom.code, 0, "{dialect}: {}", custom.text());
        let tag = p.journal().entries.last().expect("entry").tag.clone();
        let body = "-- lint: warning add-check public.accounts.email_check: a note\n\nDROP TABLE accounts;\n";
        fs::write(sql(&p, &tag), body).expect("sql");
        let check = p.run(&["check", "--format", "json"], NOW + 1000);
        let findings = check.json()["findings"]
            .as_array()
            .expect("findings")
            .clone();
        let line = |code: &str| {
            findings
                .iter()
                .find(|f| f["code"] == code)
                .map(|f| f["line"].clone())
                .unwrap_or_else(|| panic!("{dialect}: no {code}: {}", check.text()))
        };
        assert_eq!(line("drop-table"), serde_json::json!(3), "{dialect}");
        assert_eq!(line("add-check"), serde_json::Value::Null, "{dialect}");
    }
}

/// `generate` waiting for the folder's lock says so once on stderr; one that need not wait
/// says nothing of it.
#[test]
fn generate_says_when_it_waits_for_the_folder_lock() {
    let p = project("sqlite", ACCOUNTS);
    generate(&p, ACCOUNTS, NOW);
    p.set_schema(&accounts_with("nick"));
    let path = p.migrations().join("meta/.migrate-cli.lock");
    let held = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .expect("lock file");
    held.lock().expect("lock");
    let dir = p.path().to_path_buf();
    let waiter = std::thread::spawn(move || {
        let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(NOW + 100);
        tests::project::run_cli(&dir, &["generate"], now, None)
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!waiter.is_finished(), "generate did not wait for the lock");
    held.unlock().expect("unlock");
    let run = waiter.join().expect("generate thread");
    assert_eq!(run.code, 0, "{}", run.text());
    let message =
        "waiting for the lock on migrations/meta/.migrate-cli.lock held by another command writing the migrations folder";
    assert_eq!(run.stderr.matches(message).count(), 1, "{}", run.stderr);
    p.set_schema(&format!("{}{COMMENTS}", accounts_with("nick")));
    let alone = p.run(&["generate"], NOW + 200);
    assert_eq!(alone.code, 0, "{}", alone.text());
    assert!(!alone.stderr.contains("waiting"), "{}", alone.stderr);
}
