//! What a new-user trial of the review gate found (issue 10): a journal entry without its
//! file stops `migrate` as it stops `check`, a fork gets the same advice from both, a misplaced
//! `-- no-transaction` cannot be overridden, `check --since` gates modified migrations too.
//! On PostgreSQL, SQLite and MariaDB where it applies.

use crate::verdict::{
    generate, problems, project, refused_alike, sql, Db, ACCOUNTS, COMMENTS, DIALECTS,
};
use std::fs;
use tests::project::NOW;

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
