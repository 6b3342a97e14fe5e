//! What `generate` and `check` say about a migrations folder they must not build on: a newest
//! tag that leaves no later timestamp, a tag on a date the calendar lacks, and a snapshot of
//! another dialect.

use std::fs;
use tests::project::{Project, NOW};

const ACCOUNTS: &str = r#"
#[derive(Table)]
#[table(name = "accounts")]
pub struct Account {
    #[column(primary_key, identity)]
    pub id: i64,
    pub email: String,
}
"#;

/// A project with one migration, `<stamp>_create_accounts`, whose stamp was then changed to
/// `to` (its .sql file, its down file, its snapshot and its journal entry), and a new column in the source.
fn retagged(to: &str) -> Project {
    let p = Project::new(ACCOUNTS);
    let run = p.run(&["generate"], NOW);
    assert_eq!(run.code, 0, "{}", run.text());
    let from = p.journal().entries[0].tag[..14].to_string();
    let dir = p.migrations();
    let name = "create_accounts";
    fs::rename(
        dir.join(format!("{from}_{name}.sql")),
        dir.join(format!("{to}_{name}.sql")),
    )
    .unwrap();
    fs::rename(
        dir.join(format!("{from}_{name}.down.sql")),
        dir.join(format!("{to}_{name}.down.sql")),
    )
    .unwrap();
    fs::rename(
        dir.join(format!("meta/{from}_snapshot.json")),
        dir.join(format!("meta/{to}_snapshot.json")),
    )
    .unwrap();
    let journal = p.read("meta/_journal.json").replace(&from, to);
    fs::write(dir.join("meta/_journal.json"), journal).unwrap();
    p.set_schema(&ACCOUNTS.replace(
        "pub email: String,",
        "pub email: String,\n    pub nickname: Option<String>,",
    ));
    p
}

/// Every file name under the migrations folder, sorted.
fn names(p: &Project) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["", "meta"] {
        for e in fs::read_dir(p.migrations().join(sub)).unwrap().flatten() {
            if e.path().is_file() {
                out.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_newest_tag_at_the_end_of_time_is_refused_naming_it() {
    let p = retagged("99991231235959");
    let before = names(&p);
    let run = p.run(&["generate"], NOW + 60);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stderr.contains("99991231235959_create_accounts")
            && run.stderr.contains("no later YYYYMMDDHHMMSS timestamp")
            && run.stderr.contains("nothing was written")
            && run.stderr.contains("rename it to the time it was written"),
        "{}",
        run.stderr
    );
    assert_eq!(names(&p), before, "nothing is written");
}

#[test]
fn a_tag_on_a_date_the_calendar_lacks_is_refused_by_generate_and_check() {
    let p = retagged("20240231000000");
    let before = names(&p);
    let run = p.run(&["generate"], NOW + 60);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stderr.contains("\"20240231000000_create_accounts\"")
            && run.stderr.contains("valid YYYYMMDDHHMMSS timestamp"),
        "{}",
        run.stderr
    );
    assert_eq!(names(&p), before, "nothing is written");

    let run = p.run(&["check"], NOW + 60);
    assert_eq!(run.code, 1, "{}", run.text());
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("bad-tag: "))
        .unwrap_or_else(|| panic!("no bad-tag problem:\n{}", run.text()));
    assert!(
        line.contains("migrations/meta/_journal.json")
            && line.contains("\"20240231000000_create_accounts\"")
            && line.contains("fix its journal entry"),
        "{line}"
    );
}

#[test]
fn check_reports_a_snapshot_of_another_dialect() {
    let p = Project::new(ACCOUNTS);
    assert_eq!(p.run(&["generate"], NOW).code, 0);
    let stamp = p.journal().entries[0].tag[..14].to_string();
    let path = p.migrations().join(format!("meta/{stamp}_snapshot.json"));
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    snapshot["dialect"] = "sqlite".into();
    fs::write(&path, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();

    // generate refuses to build on it ...
    let run = p.run(&["generate"], NOW + 60);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stderr.contains("is for dialect sqlite"),
        "{}",
        run.stderr
    );

    // ... and check says so, naming the file, both dialects and what to do.
    let run = p.run(&["check"], NOW + 60);
    assert_eq!(run.code, 1, "{}", run.text());
    let expected = format!(
        "dialect: migrations/meta/{stamp}_snapshot.json is for dialect sqlite but the config says postgres, as does migrations/meta/_journal.json; restore the snapshot from version control, or delete migration {stamp}_create_accounts"
    );
    assert!(run.stdout.contains(&expected), "{}", run.text());
    assert!(!run.stdout.contains("check passed"), "{}", run.stdout);
}
