//! Down files in the folder's life: `--custom` writes an empty one that `check` reports as
//! `missing-down`, a listed down that is missing is `missing-down-file`, a history without
//! downs is `missing-down`, `--dry-run` shows the downs, `drop` removes the down, a down of an
//! unlisted tag is a stray file, and a down's unacknowledged `irreversible` fails `check`
//! however its comment lines are edited.

use super::{history, text, SQLITE};
use std::fs;
use tests::project::NOW;

const ACCOUNTS: &str = r#"
#[derive(Table)] #[table(name = "accounts")]
struct Account { #[column(primary_key, identity)] id: i64, email: String, nick: Option<String> }
"#;

#[test]
fn custom_writes_an_empty_down_that_check_reports_as_missing_down() {
    let (p, _) = history(SQLITE, &[ACCOUNTS], &[]);
    let run = p.run(&["generate", "--custom", "--name", "backfill"], NOW + 100);
    assert_eq!(run.code, 0, "{}", text(&run));
    let tag = p.journal().entries[1].tag.clone();
    assert!(p.journal().entries[1].down);
    let down = p.read(&format!("{tag}.down.sql"));
    assert!(down.contains("write by hand"), "{down}");
    assert!(
        run.stdout.contains(&format!("{tag}.down.sql")),
        "{}",
        run.stdout
    );
    let check = p.run(&["check"], NOW + 200);
    assert_eq!(check.code, 0, "{}", text(&check));
    // Named by its down file; its own suggestion, and no `-- lint:allow` hint, which does not
    // answer it.
    assert!(
        check.stdout.contains(&format!(
            "migrations/{tag}.down.sql: warning missing-down {tag}"
        )),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains(&format!(
            "suggestion: write {tag}.down.sql by hand, the SQL that takes the database back"
        )),
        "{}",
        check.stdout
    );
    assert!(
        !check.stdout.contains("acknowledge a reviewed finding"),
        "{}",
        check.stdout
    );
    let denied = p.run(&["check", "--deny", "warnings"], NOW + 200);
    assert_eq!(denied.code, 1, "{}", text(&denied));
    fs::write(
        p.migrations().join(format!("{tag}.down.sql")),
        "DELETE FROM accounts WHERE 0;\n",
    )
    .expect("down");
    let denied = p.run(&["check", "--deny", "warnings"], NOW + 200);
    assert_eq!(denied.code, 0, "{}", text(&denied));
}

#[test]
fn a_listed_down_that_is_missing_is_an_error_and_an_unlisted_one_a_warning() {
    let (p, tags) = history(SQLITE, &[ACCOUNTS], &[]);
    let down = p.migrations().join(format!("{}.down.sql", tags[0]));
    let body = fs::read_to_string(&down).expect("down");
    fs::remove_file(&down).expect("remove");
    let check = p.run(&["check"], NOW + 200);
    assert_eq!(check.code, 1, "{}", text(&check));
    assert!(
        check.stdout.contains("missing-down-file:")
            && check
                .stdout
                .contains(&format!("{}.down.sql is missing", tags[0])),
        "{}",
        check.stdout
    );
    // Without "down": true in the journal, the migration simply has no down.
    let journal = p
        .read("meta/_journal.json")
        .replace(",\n      \"down\": true", "");
    fs::write(p.migrations().join("meta/_journal.json"), journal).expect("journal");
    let check = p.run(&["check"], NOW + 200);
    assert_eq!(check.code, 0, "{}", text(&check));
    assert!(
        check.stdout.contains("warning missing-down"),
        "{}",
        check.stdout
    );
    // A down whose migration the journal does not list is a stray file.
    fs::write(p.migrations().join("20200101000000_old.down.sql"), &body).expect("stray");
    let check = p.run(&["check"], NOW + 200);
    assert!(
        check.stdout.contains("20200101000000_old.down.sql"),
        "{}",
        text(&check)
    );
    assert_eq!(check.code, 1, "{}", text(&check));
}

/// A down file that is there is the migration's down, as `revert` and `verify` read it, even
/// when its journal entry lacks `"down": true`: no `missing-down`, and it is linted.
#[test]
fn a_down_file_the_journal_does_not_flag_is_the_down() {
    let (p, tags) = history(SQLITE, &[ACCOUNTS], &[]);
    let journal = p
        .read("meta/_journal.json")
        .replace(",\n      \"down\": true", "");
    assert!(!journal.contains("\"down\""), "{journal}");
    fs::write(p.migrations().join("meta/_journal.json"), journal).expect("journal");
    let check = p.run(&["check", "--deny", "warnings"], NOW + 200);
    assert_eq!(check.code, 0, "{}", text(&check));
    assert!(!check.stdout.contains("missing-down"), "{}", check.stdout);
    let down = p.migrations().join(format!("{}.down.sql", tags[0]));
    let body = fs::read_to_string(&down).expect("down");
    fs::write(
        &down,
        format!("{body}--> statement-breakpoint\nDROP TABLE `never_created`;\n"),
    )
    .expect("down");
    let check = p.run(&["check"], NOW + 200);
    assert_eq!(check.code, 1, "{}", text(&check));
    // Named by the down file, with the statement's line.
    let at = format!("migrations/{}.down.sql:", tags[0]);
    assert!(
        check.stdout.lines().any(|l| l.starts_with(&at)
            && l.contains("error drop-table")
            && l.contains("never_created")),
        "{}",
        check.stdout
    );
}

#[test]
fn dry_run_shows_the_down_and_drop_removes_it() {
    let (p, tags) = history(SQLITE, &[ACCOUNTS], &[]);
    p.set_schema(&ACCOUNTS.replace("email: String,", "email: String, karma: Option<i32>,"));
    let dry = p.run(&["generate", "--dry-run"], NOW + 100);
    assert_eq!(dry.code, 0, "{}", text(&dry));
    assert!(
        dry.stdout.contains(".down.sql\n-- no-transaction"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("warning drop-column accounts.karma"),
        "{}",
        dry.stdout
    );
    let dropped = p.run(&["drop", "--yes"], NOW + 200);
    assert_eq!(dropped.code, 0, "{}", text(&dropped));
    let down = p.migrations().join(format!("{}.down.sql", tags[0]));
    assert!(
        dropped
            .stdout
            .contains(&format!("removed migrations/{}.down.sql", tags[0])),
        "{}",
        dropped.stdout
    );
    assert!(!down.exists());
    assert!(fs::read_dir(p.migrations()).expect("folder").all(|e| {
        !e.expect("entry")
            .file_name()
            .to_string_lossy()
            .ends_with(".sql")
    }));
}

#[test]
fn an_irreversible_down_fails_check_whatever_its_comments_say() {
    let without_nick = ACCOUNTS.replace(" nick: Option<String> }", " }");
    let (p, tags) = history(SQLITE, &[ACCOUNTS, &without_nick], &[]);
    // The up's drop-column acknowledged: the down's irreversible remains.
    let up = p.migrations().join(format!("{}.sql", tags[1]));
    let sql = fs::read_to_string(&up).expect("up");
    fs::write(
        &up,
        sql.replacen(
            "-- no-transaction\n",
            "-- no-transaction\n-- lint:allow drop-column\n",
            1,
        ),
    )
    .expect("up");
    let down = p.migrations().join(format!("{}.down.sql", tags[1]));
    let body = fs::read_to_string(&down).expect("down");
    assert!(
        body.contains("-- lint: error irreversible accounts.nick"),
        "{body}"
    );
    let stripped: String = body
        .lines()
        .filter(|l| !l.starts_with("-- lint:"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&down, &stripped).expect("down");
    let check = p.run(&["check"], NOW + 200);
    assert_eq!(check.code, 1, "{}", text(&check));
    let down_file = format!("migrations/{}.down.sql", tags[1]);
    assert!(
        check
            .stdout
            .lines()
            .any(|l| l.starts_with(&down_file) && l.contains(": error irreversible accounts.nick")),
        "{}",
        check.stdout
    );
    // `migrate` never runs downs: they do not gate it.
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display());
    let migrate = p.run(&["migrate", "--url", &url], NOW + 300);
    assert_eq!(migrate.code, 0, "{}", text(&migrate));
    let allowed = match stripped.strip_prefix("-- no-transaction\n") {
        Some(rest) => format!("-- no-transaction\n-- lint:allow irreversible\n{rest}"),
        None => format!("-- lint:allow irreversible\n{stripped}"),
    };
    fs::write(&down, allowed).expect("down");
    let check = p.run(&["check"], NOW + 200);
    assert_eq!(check.code, 0, "{}", text(&check));
}

#[test]
fn generate_prints_what_a_down_cannot_bring_back() {
    let (p, _) = history(SQLITE, &[ACCOUNTS], &[]);
    p.set_schema(&ACCOUNTS.replace(" nick: Option<String> }", " }"));
    let run = p.run(&["generate"], NOW + 100);
    assert_eq!(run.code, 0, "{}", text(&run));
    let tag = p.journal().entries[1].tag.clone();
    assert!(
        run.stdout.contains(&format!(
            "down migrations/{tag}.down.sql:\n  lint: error irreversible accounts.nick: the down re-adds column accounts.nick (text) empty"
        )),
        "{}",
        run.stdout
    );
}
