//! Several `migrate` runs started together on one SQLite file. sqlx has no migration lock on
//! SQLite, so two runs may both find a migration pending: the one that loses sees it recorded
//! and goes on; every run succeeds, every migration is recorded once, every row is kept.

use super::lite::*;
use super::V1;

#[test]
fn four_concurrent_migrate_runs_on_one_sqlite_file_all_succeed() {
    let mut lite = Lite::new(V1);
    lite.generate(V1, &[]);
    assert_has(&lite.migrate(), 0, &[]);
    lite.exec(
        "INSERT INTO accounts (id, display_name, age, mood) VALUES (1, 'Ada', 36, 'happy'), (2, 'Bob', 41, 'sad');
         INSERT INTO posts (id, account_id, title) VALUES (1, 1, 'a'), (2, 2, 'b');
         INSERT INTO badges (id, account_id, label) VALUES (1, 1, 'gold'), (2, 2, 'silver');",
    );
    let mut schema = V1.to_string();
    for (from, to) in [
        (
            "pub display_name: String,",
            "#[column(renamed_from = \"display_name\")]\n    pub full_name: String,",
        ),
        ("pub age: i32,", "pub age: String,"),
        ("Happy, Sad, Meh", "Happy, Sad, Excited"),
        (
            "    pub label: String,\n",
            "    pub label: String,\n    #[column(default = 1)]\n    pub level: i32,\n",
        ),
    ] {
        schema = edited(&schema, from, to);
        lite.generate(&schema, &[]);
    }
    let runs: Vec<Run> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| lite.migrate())).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("migrate thread"))
            .collect()
    });
    let mut applied = 0;
    for run in &runs {
        assert_eq!(run.code, 0, "{run:#?}");
        applied += run.stdout.matches("applied migrations/").count();
    }
    assert_eq!(
        applied, 4,
        "each migration applied by exactly one run: {runs:#?}"
    );
    let history = lite.history();
    assert_eq!(history.len(), 5, "{history:?}");
    assert!(
        history.iter().all(|r| r.split('|').nth(2) == Some("1")),
        "{history:?}"
    );
    assert_eq!(
        lite.rows("SELECT id, full_name, age, mood FROM accounts ORDER BY id"),
        ["1|Ada|36|happy", "2|Bob|41|sad"]
    );
    assert_eq!(
        lite.rows("SELECT id, account_id FROM posts ORDER BY id"),
        ["1|1", "2|2"]
    );
    assert_eq!(
        lite.rows("SELECT id, account_id, level FROM badges ORDER BY id"),
        ["1|1|1", "2|2|1"]
    );
    assert_eq!(
        lite.rows("SELECT * FROM pragma_foreign_key_check"),
        Vec::<String>::new()
    );
}
