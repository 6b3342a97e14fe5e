//! Issue 14, what `pull` and `baseline` leave out of a live database: index `INCLUDE`
//! columns, collations other than a type's (or a MySQL table's) default, `DEFERRABLE`
//! constraints, `NOT VALID` ones and comments. Each is listed by `pull` and by `baseline`
//! (whose folder does not recreate it), and the round trip still says `no changes`.

use super::{at, ok, pulled, pulled_text};
use migrate_cli::config::Dialect;
use std::fs;
use tests::project::{run_cli, NOW};

const POSTGRES_DDL: &str = r#"
CREATE TABLE parent (id bigint PRIMARY KEY, code text NOT NULL,
    CONSTRAINT parent_code_key UNIQUE (code) DEFERRABLE);
CREATE TABLE child (
    id bigint PRIMARY KEY,
    parent_id bigint NOT NULL,
    name text COLLATE "C" NOT NULL,
    n integer NOT NULL,
    CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX child_parent_idx ON child (parent_id) INCLUDE (name, n);
ALTER TABLE child ADD CONSTRAINT child_n_positive CHECK (n > 0) NOT VALID;
CREATE TABLE other (id bigint PRIMARY KEY, parent_id bigint);
ALTER TABLE other ADD CONSTRAINT other_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID;
COMMENT ON TABLE parent IS 'the parents';
COMMENT ON COLUMN child.name IS 'what they are called';
"#;

/// What each of [`POSTGRES_DDL`]'s features is listed as.
const POSTGRES_LEFT_OUT: &[&str] = &[
    "INCLUDE (name, n) of index `child_parent_idx` on table `public.child`",
    "collation \"C\" of column `public.child.name`",
    "DEFERRABLE of unique constraint `parent_code_key` on table `public.parent`",
    "DEFERRABLE INITIALLY DEFERRED of foreign key `child_parent_fk` on table `public.child`",
    "NOT VALID of check `child_n_positive` on table `public.child`",
    "NOT VALID of foreign key `other_parent_fk` on table `public.other`",
    "comment on table `public.parent`",
    "comment on column `public.child.name`",
];

#[test]
fn postgres_features_pull_and_baseline_leave_out_are_listed() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::pg::TestDb::create("pull_left_out")) else {
        return;
    };
    rt.block_on(db.apply(POSTGRES_DDL)).expect("ddl");
    let dir = round_trip_listing(Dialect::Postgres, &db.url, POSTGRES_LEFT_OUT);
    let child = fs::read_to_string(dir.path().join("src/schema/child.rs")).expect("child.rs");
    assert!(
        child.contains("// left out: INCLUDE (name, n) of index `child_parent_idx`"),
        "{child}"
    );
}

/// [`super::pulled`] (checking that `pull` lists `left_out`), then `baseline --url`, whose
/// note lists each of `left_out` too, then `generate` says `no changes`; gives the project.
fn round_trip_listing(dialect: Dialect, url: &str, left_out: &[&str]) -> tempfile::TempDir {
    let dir = pulled(dialect, url, left_out);
    let run = run_cli(dir.path(), &["baseline", "--url", url], at(NOW + 5), None);
    ok(&run, &format!("{dialect} baseline"));
    let note = run
        .stdout
        .split_once("note: left out of the baseline (the folder does not recreate these")
        .map(|(_, note)| note)
        .unwrap_or_default();
    for l in left_out {
        assert!(
            note.contains(l),
            "{dialect}: baseline does not list `{l}`:\n{}",
            run.text()
        );
    }
    let generate = run_cli(dir.path(), &["generate", "--dry-run"], at(NOW + 10), None);
    assert!(
        generate.code == 0 && generate.stdout.contains("no changes"),
        "{dialect}: generate after pull and baseline is not `no changes`:\n{}\n{}",
        generate.text(),
        pulled_text(&dir.path().join("src/schema"))
    );
    dir
}

#[test]
fn mysql_comments_and_collations_pull_and_baseline_leave_out_are_listed() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let Some(db) = rt.block_on(tests::mysql::TestDb::create("pull_left_out_my")) else {
        return;
    };
    let ddl = "CREATE TABLE item (id bigint PRIMARY KEY, \
               name varchar(40) COLLATE utf8mb4_bin NOT NULL COMMENT 'shown to people') \
               DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci COMMENT = 'what is sold';";
    rt.block_on(db.execute(ddl)).expect("ddl");
    let left_out = &[
        "comment on table `item`",
        "comment on column `item.name`",
        "collation utf8mb4_bin of column `item.name`",
    ];
    round_trip_listing(Dialect::Mysql, &db.url, left_out);
}
