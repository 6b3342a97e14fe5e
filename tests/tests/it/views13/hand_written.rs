//! Issue 13's drops written by hand in custom migrations, on real servers: `DROP VIEW`,
//! `DROP MATERIALIZED VIEW`, `DROP POLICY`, `ALTER TABLE .. DISABLE ROW LEVEL SECURITY` and
//! `DROP SEQUENCE` give the codes and severities the change list gives the generated drop
//! (`drop-view` and `drop-policy` warnings, `disable-rls` and `drop-sequence` errors), on each
//! database that has the statement: `check` reports them on their lines, `migrate` refuses the
//! errors until they are acknowledged, and then the server runs the file.

use std::fs;
use tests::project::{Project, Run, NOW};

const TABLE: &str = "#[derive(Table)]\n#[table(name = \"notes\")]\npub struct Note {\n    #[column(primary_key)]\n    pub id: i64,\n    pub owner: String,\n}\n";

/// The project on `dialect` with two custom migrations: `make` runs `make`, `gone` runs `gone`
/// (statements separated by breakpoints); each down is a no-op.
fn project(dialect: &str, make: &[&str], gone: &[&str]) -> (Project, String) {
    let p = Project::new(TABLE);
    let config =
        format!("dialect = \"{dialect}\"\nschema = [\"src/schema\"]\nout = \"migrations\"\n");
    fs::write(p.path().join("migrate.toml"), config).expect("config");
    super::ok(&p.run(&["generate", "--name", "init"], NOW), "generate");
    let mut gone_file = String::new();
    for (i, (name, sql)) in [("make", make), ("gone", gone)].into_iter().enumerate() {
        let at = NOW + 10 * (i as u64 + 1);
        super::ok(
            &p.run(&["generate", "--custom", "--name", name], at),
            "custom",
        );
        let tag = p.journal().last().expect("a migration").tag.clone();
        let up = p.migrations().join(format!("{tag}.sql"));
        let body = sql.join("\n--> statement-breakpoint\n");
        fs::write(&up, format!("{body}\n")).expect("up");
        fs::write(
            p.migrations().join(format!("{tag}.down.sql")),
            "SELECT 1;\n",
        )
        .expect("down");
        gone_file = up.display().to_string();
    }
    (p, gone_file)
}

/// The (line, severity, code) of each finding `run` prints for the migration `tag`.
fn findings(run: &Run, tag: &str) -> Vec<(usize, String, String)> {
    let prefix = format!("{tag}:");
    run.text()
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|rest| {
            let (line, rest) = rest.split_once(": ")?;
            let mut words = rest.split_whitespace();
            let (severity, code) = (words.next()?, words.next()?);
            Some((line.parse().ok()?, severity.to_string(), code.to_string()))
        })
        .collect()
}

/// Checks, migrates (refused, then acknowledged and applied) and returns what `check` found.
fn story(dialect: &str, url: &str, make: &[&str], gone: &[&str]) -> Vec<(usize, String, String)> {
    let (p, gone_file) = project(dialect, make, gone);
    let tag = p.journal().last().expect("a migration").tag.clone();
    let check = p.run(&["check"], NOW + 40);
    let found = findings(&check, &tag);
    let errors: Vec<&String> = found
        .iter()
        .filter(|(_, s, _)| s == "error")
        .map(|(_, _, c)| c)
        .collect();
    if !errors.is_empty() {
        assert_eq!(check.code, 1, "{dialect}: {}", check.text());
        let refused = p.run(&["migrate", "--url", url], NOW + 41);
        assert_eq!(refused.code, 1, "{dialect}: {}", refused.text());
        assert!(
            refused.text().contains("nothing was applied"),
            "{}",
            refused.text()
        );
    }
    // Acknowledged, the file runs on the server.
    let body = fs::read_to_string(&gone_file).expect("file");
    let allow: String = found
        .iter()
        .map(|(_, _, c)| format!("-- lint:allow {c}\n"))
        .collect();
    fs::write(&gone_file, format!("{allow}{body}")).expect("acknowledged");
    super::ok(
        &p.run(&["check"], NOW + 42),
        &format!("{dialect} check acknowledged"),
    );
    super::ok(
        &p.run(&["migrate", "--url", url], NOW + 43),
        &format!("{dialect} migrate"),
    );
    found
}

fn expect(found: &[(usize, String, String)], want: &[(usize, &str, &str)]) {
    let want: Vec<(usize, String, String)> = want
        .iter()
        .map(|(l, s, c)| (*l, s.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, want);
}

#[test]
fn pg_hand_written_drops_of_views_policies_rls_and_sequences_are_findings() {
    let _one = crate::PG_VERIFY.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("view13_hand")) else {
        return;
    };
    let make = [
        "CREATE VIEW \"public\".\"open_notes\" AS SELECT id FROM notes;",
        "CREATE MATERIALIZED VIEW \"public\".\"note_owners\" AS SELECT DISTINCT owner FROM notes;",
        "ALTER TABLE \"public\".\"notes\" ENABLE ROW LEVEL SECURITY;",
        "CREATE POLICY \"own_rows\" ON \"public\".\"notes\" USING (owner = 'a');",
        "CREATE SEQUENCE \"public\".\"numbers\";",
    ];
    let gone = [
        "DROP VIEW \"public\".\"open_notes\";",
        "DROP MATERIALIZED VIEW \"public\".\"note_owners\";",
        "DROP POLICY \"own_rows\" ON \"public\".\"notes\";",
        "ALTER TABLE \"public\".\"notes\" DISABLE ROW LEVEL SECURITY;",
        "DROP SEQUENCE \"public\".\"numbers\";",
    ];
    let found = story("postgres", &db.url, &make, &gone);
    expect(
        &found,
        &[
            (1, "warning", "drop-view"),
            (3, "warning", "drop-view"),
            (5, "warning", "drop-policy"),
            (7, "error", "disable-rls"),
            (9, "error", "drop-sequence"),
        ],
    );
}

#[test]
fn sqlite_a_hand_written_drop_view_is_a_finding() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
    let make = ["CREATE VIEW \"open_notes\" AS SELECT id FROM notes;"];
    let gone = ["DROP VIEW \"open_notes\";"];
    let found = story("sqlite", &url, &make, &gone);
    expect(&found, &[(1, "warning", "drop-view")]);
}

#[test]
fn mysql_hand_written_drops_of_a_view_and_a_mariadb_sequence_are_findings() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("view13_hand")) else {
        return;
    };
    let make = [
        "CREATE VIEW `open_notes` AS SELECT id FROM notes;",
        "CREATE SEQUENCE `numbers`;",
    ];
    let gone = ["DROP VIEW `open_notes`;", "DROP SEQUENCE `numbers`;"];
    let found = story("mysql", &db.url, &make, &gone);
    expect(
        &found,
        &[(1, "warning", "drop-view"), (3, "error", "drop-sequence")],
    );
}
