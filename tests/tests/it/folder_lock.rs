//! The migrations folder shared by concurrent runs and by files nobody listed: two `generate`
//! runs started together take turns (the second sees the first one's migration), `drop` waits
//! for a `generate`, and SQL files or snapshots the journal does not list stop `generate`,
//! `migrate` and `check`, each naming them.

use std::fs;
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, UNIX_EPOCH};
use tests::project::{run_cli, Project, Run, NOW};

const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}
"#;

/// ACCOUNTS with one more column.
fn with_nickname() -> String {
    ACCOUNTS.replace(
        "pub email: String,",
        "pub email: String,\n    pub nickname: Option<String>,",
    )
}

/// Runs `args` in `dir` on threads of their own, all released together, the i-th at `now[i]`.
fn together(dir: &Path, args: &[&str], now: &[u64]) -> Vec<Run> {
    let barrier = Arc::new(Barrier::new(now.len()));
    let handles: Vec<_> = now
        .iter()
        .map(|&now| {
            let (dir, barrier) = (dir.to_path_buf(), Arc::clone(&barrier));
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            std::thread::spawn(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                barrier.wait();
                run_cli(&dir, &args, UNIX_EPOCH + Duration::from_secs(now), None)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("cli thread"))
        .collect()
}

/// The `.sql` files of the migrations folder, sorted.
fn sql_files(p: &Project) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(p.migrations())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| tests::project::is_up_name(n))
        .collect();
    names.sort();
    names
}

/// Two `generate` runs of one change, started together in two different seconds (the race a
/// second boundary makes: each would write its own file, and the journal written last would
/// lose the other's entry). With the folder locked, the second one finds the change written.
/// Several rounds, since without the lock the runs overlap nearly every time.
#[test]
fn two_generates_at_once_take_turns_and_the_journal_lists_every_file() {
    for round in 0..8 {
        let p = Project::new(ACCOUNTS);
        assert_eq!(p.run(&["generate"], NOW).code, 0);
        p.set_schema(&with_nickname());
        let runs = together(p.path(), &["generate"], &[NOW + 100, NOW + 101]);
        for run in &runs {
            assert_eq!(run.code, 0, "round {round}: {}", run.text());
        }
        let written = runs.iter().filter(|r| r.stdout.contains("wrote")).count();
        let unchanged = runs
            .iter()
            .filter(|r| r.stdout.contains("no changes"))
            .count();
        let journal: Vec<String> = p.journal().entries.into_iter().map(|e| e.tag).collect();
        let files: Vec<String> = sql_files(&p)
            .into_iter()
            .map(|n| n.trim_end_matches(".sql").to_string())
            .collect();
        assert_eq!(
            journal,
            files,
            "round {round}: the journal lost a file's entry\n{}\n{}",
            runs[0].text(),
            runs[1].text()
        );
        assert_eq!(
            (written, unchanged, files.len()),
            (1, 1, 2),
            "round {round}: one run writes the change, the other finds nothing to do\n{}\n{}",
            runs[0].text(),
            runs[1].text()
        );
        assert!(
            !p.migrations().join("meta/.migrate-cli.lock").exists(),
            "the lock file is left"
        );
    }
}

/// A generate that writes nothing leaves no folder behind, even with another one waiting.
#[test]
fn refused_generates_at_once_leave_no_folder() {
    for round in 0..5 {
        let p = Project::new("#[derive(Table)]\npub struct Broken {\n    pub id: NoSuchType,\n}\n");
        let runs = together(p.path(), &["generate"], &[NOW, NOW + 1, NOW + 2]);
        for run in &runs {
            assert_eq!(run.code, 1, "{}", run.text());
        }
        assert!(
            !p.migrations().exists(),
            "round {round}: a refused generate left a folder"
        );
    }
}

/// `drop` takes the same lock: run beside a `generate` of a new change, the journal ends up
/// listing exactly the files left, and every snapshot with them.
#[test]
fn drop_and_generate_at_once_keep_the_journal_whole() {
    for round in 0..4 {
        let p = Project::new(ACCOUNTS);
        assert_eq!(p.run(&["generate"], NOW).code, 0);
        p.set_schema(&with_nickname());
        assert_eq!(p.run(&["generate"], NOW + 60).code, 0);
        p.set_schema(&with_nickname().replace(
            "pub nickname: Option<String>,",
            "pub nickname: Option<String>,\n    pub bio: Option<String>,",
        ));
        let dir = p.path().to_path_buf();
        let barrier = Arc::new(Barrier::new(2));
        let b = Arc::clone(&barrier);
        let dropper = std::thread::spawn(move || {
            b.wait();
            run_cli(
                &dir,
                &["drop", "--yes"],
                UNIX_EPOCH + Duration::from_secs(NOW + 120),
                None,
            )
        });
        barrier.wait();
        let generated = p.run(&["generate"], NOW + 121);
        let dropped = dropper.join().expect("drop thread");
        assert_eq!(dropped.code, 0, "{}", dropped.text());
        assert_eq!(generated.code, 0, "{}", generated.text());
        let journal: Vec<String> = p.journal().entries.into_iter().map(|e| e.tag).collect();
        let files: Vec<String> = sql_files(&p)
            .into_iter()
            .map(|n| n.trim_end_matches(".sql").to_string())
            .collect();
        assert_eq!(
            journal,
            files,
            "round {round}: {}\n{}",
            dropped.text(),
            generated.text()
        );
        // Whichever ran first, the folder is whole: at most the source is ahead of it (when
        // drop removed the migration generate had just written).
        let check = p.run(&["check", "--format", "json"], NOW + 200);
        let json = check.json();
        for problem in json["problems"].as_array().unwrap() {
            assert_eq!(
                problem["kind"],
                "source-changed",
                "round {round}: {}",
                check.text()
            );
        }
    }
}

/// A project with one generated migration, a `.sql` file and a snapshot beside it that the
/// journal does not list (as a bad merge or a copy leaves them), and a new column in the source.
fn with_unlisted() -> Project {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(&["generate"], NOW).code, 0);
    let tag = p.journal().entries[0].tag.clone();
    let dir = p.migrations();
    fs::copy(
        dir.join(format!("{tag}.sql")),
        dir.join("20260101000000_create_accounts_copy.sql"),
    )
    .unwrap();
    fs::copy(
        dir.join(format!("meta/{}_snapshot.json", &tag[..14])),
        dir.join("meta/20260101000000_snapshot.json"),
    )
    .unwrap();
    p.set_schema(&with_nickname());
    p
}

#[test]
fn generate_refuses_to_write_beside_files_the_journal_does_not_list() {
    let p = with_unlisted();
    let before = sql_files(&p);
    let run = p.run(&["generate"], NOW + 60);
    assert_eq!(run.code, 1, "{}", run.text());
    for needle in [
        "the migrations folder holds files that migrations/meta/_journal.json does not list; nothing was written",
        "migrations/20260101000000_create_accounts_copy.sql is not listed in migrations/meta/_journal.json; delete it, or restore its journal entry from version control",
        "migrations/meta/20260101000000_snapshot.json belongs to no migration in migrations/meta/_journal.json",
    ] {
        assert!(run.stderr.contains(needle), "{needle:?} missing:\n{}", run.stderr);
    }
    assert_eq!(sql_files(&p), before, "nothing is written");
    assert_eq!(p.journal().entries.len(), 1);

    // Deleting them, as the message says, lets generate write.
    fs::remove_file(
        p.migrations()
            .join("20260101000000_create_accounts_copy.sql"),
    )
    .unwrap();
    fs::remove_file(p.migrations().join("meta/20260101000000_snapshot.json")).unwrap();
    let run = p.run(&["generate"], NOW + 60);
    assert_eq!(run.code, 0, "{}", run.text());
}

#[test]
fn check_names_every_file_the_journal_does_not_list() {
    let p = with_unlisted();
    let run = p.run(&["check", "--format", "json"], NOW + 60);
    assert_eq!(run.code, 1, "{}", run.text());
    let json = run.json();
    let problems: Vec<(String, String)> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap().to_string();
            (s("kind"), s("message"))
        })
        .collect();
    assert!(
        problems.iter().any(|(k, m)| k == "stray-file"
            && m.contains("migrations/20260101000000_create_accounts_copy.sql")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|(k, m)| k == "stray-snapshot"
            && m.contains("migrations/meta/20260101000000_snapshot.json")),
        "{problems:?}"
    );
}

#[test]
fn migrate_refuses_files_the_journal_does_not_list_before_applying_anything() {
    let p = Project::new(ACCOUNTS);
    fs::write(
        p.path().join("migrate.toml"),
        "dialect = \"sqlite\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n",
    )
    .unwrap();
    assert_eq!(p.run(&["generate"], NOW).code, 0);
    fs::write(
        p.migrations().join("20260101000000_extra.sql"),
        "CREATE TABLE extra (id integer);\n",
    )
    .unwrap();
    let db = p.path().join("app.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    for args in [
        vec!["migrate", "--url", &url],
        vec!["migrate", "--dry-run", "--url", &url],
    ] {
        let run = p.run(&args, NOW + 60);
        assert_eq!(run.code, 1, "{}", run.text());
        for needle in [
            "does not list; nothing was applied",
            "migrations/20260101000000_extra.sql is not listed in migrations/meta/_journal.json",
        ] {
            assert!(
                run.stderr.contains(needle),
                "{needle:?} missing:\n{}",
                run.text()
            );
        }
    }
    assert!(!db.exists(), "migrate touched the database");
}
