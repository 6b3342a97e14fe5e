//! Tests of reading the migrations folder and planning the next migration.

use super::*;
use schema_core::model::Schema;
use schema_core::snapshot::ROOT_ID;
use std::fs;

fn folder(dir: &Path) -> Folder {
    Folder::new(dir.join("migrations"), dir)
}

/// Writes one migration the way generate does and returns its snapshot.
fn add(folder: &Folder, tag: &str, when: u64, prev: &str) -> Snapshot {
    let history = folder.read("postgres").unwrap();
    let snapshot = Snapshot::new("postgres", prev, &Schema::default());
    let planned = folder.plan(
        tag,
        when,
        "select 1;\n".into(),
        snapshot.to_json(),
        &snapshot.dialect,
        history.journal,
    );
    planned.files.commit().unwrap();
    snapshot
}

#[test]
fn an_absent_folder_is_an_empty_history() {
    let dir = tempfile::tempdir().unwrap();
    let history = folder(dir.path()).read("postgres").unwrap();
    assert!(history.journal.is_none() && history.latest.is_none());
    assert_eq!(history.latest_taken, None);
}

#[test]
fn appends_to_the_journal_and_reads_the_latest_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let f = folder(dir.path());
    let first = add(
        &f,
        "20240101000000_create_accounts",
        1_704_067_200_000,
        ROOT_ID,
    );
    let second = add(&f, "20240101000005_add_email", 1_704_067_205_000, &first.id);
    let history = f.read("postgres").unwrap();
    let journal = history.journal.unwrap();
    let tags: Vec<(u32, &str)> = journal
        .entries
        .iter()
        .map(|e| (e.idx, e.tag.as_str()))
        .collect();
    assert_eq!(
        tags,
        [
            (0, "20240101000000_create_accounts"),
            (1, "20240101000005_add_email")
        ]
    );
    let (path, latest) = history.latest.unwrap();
    assert_eq!(
        path,
        dir.path()
            .join("migrations/meta/20240101000005_snapshot.json")
    );
    assert_eq!(latest, second);
    assert_eq!(latest.prev_id, first.id);
    assert_eq!(history.latest_taken, Some(1_704_067_205));
    assert!(dir
        .path()
        .join("migrations/20240101000005_add_email.sql")
        .is_file());
}

#[test]
fn latest_taken_counts_stray_files_and_future_journal_times() {
    let dir = tempfile::tempdir().unwrap();
    let f = folder(dir.path());
    add(&f, "20240101000000_a", 1_704_067_200_000, ROOT_ID);
    // A file someone added by hand, later than the journal.
    fs::write(f.out.join("20240101000009_hand.sql"), "").unwrap();
    assert_eq!(
        f.read("postgres").unwrap().latest_taken,
        Some(1_704_067_209)
    );
    // A journal `when` later than its tag.
    let mut journal = Journal::parse(&fs::read_to_string(f.journal_path()).unwrap()).unwrap();
    journal.entries[0].when = 1_704_067_300_000;
    fs::write(f.journal_path(), journal.to_json()).unwrap();
    assert_eq!(
        f.read("postgres").unwrap().latest_taken,
        Some(1_704_067_300)
    );
}

#[test]
fn a_corrupt_journal_names_its_path_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = folder(dir.path());
    fs::create_dir_all(f.meta()).unwrap();
    fs::write(f.journal_path(), "{\n  \"version\": \"7\",\n  oops\n}\n").unwrap();
    let err = f.read("postgres").unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}: corrupt journal at line 3, column 3: ",
            Path::new("migrations/meta/_journal.json").display()
        )),
        "{err}"
    );
    assert!(
        err.ends_with("fix it or restore it from version control"),
        "{err}"
    );
}

#[test]
fn a_missing_snapshot_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = folder(dir.path());
    add(&f, "20240101000000_a", 1_704_067_200_000, ROOT_ID);
    fs::remove_file(f.meta().join("20240101000000_snapshot.json")).unwrap();
    let err = f.read("postgres").unwrap_err().to_string();
    assert!(
        err.contains("lists migration 20240101000000_a but its snapshot"),
        "{err}"
    );
}

#[test]
fn migrations_without_a_journal_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = folder(dir.path());
    fs::create_dir_all(&f.out).unwrap();
    fs::write(f.out.join("20240101000000_a.sql"), "").unwrap();
    let err = f.read("postgres").unwrap_err().to_string();
    assert!(err.contains("has no meta/_journal.json"), "{err}");
}

#[test]
fn another_dialect_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = folder(dir.path());
    add(&f, "20240101000000_a", 1_704_067_200_000, ROOT_ID);
    let err = f.read("sqlite").unwrap_err().to_string();
    assert!(
        err.contains("is for dialect postgres but the config says sqlite"),
        "{err}"
    );
}

/// Writes migrations `(tag, prevId, schema)` in one go, as a merge or a hand edit leaves them
/// (no check of the chain on the way), and returns their snapshots.
fn write_all(folder: &Folder, migrations: &[(&str, &str, &Schema)]) -> Vec<Snapshot> {
    let mut snapshots = Vec::new();
    let mut planned = Vec::new();
    for (i, (tag, prev, schema)) in migrations.iter().enumerate() {
        let prev = match prev.strip_prefix('#') {
            Some(n) => snapshots
                .get(n.parse::<usize>().unwrap())
                .map_or(ROOT_ID.to_string(), |s: &Snapshot| s.id.clone()),
            None => prev.to_string(),
        };
        let snapshot = Snapshot::new("postgres", &prev, schema);
        planned.push(NewMigration {
            tag: tag.to_string(),
            when_ms: 1_704_067_200_000 + i as u64 * 1000,
            sql: "select 1;\n".into(),
            snapshot_json: snapshot.to_json(),
            breakpoints: true,
            down_sql: None,
        });
        snapshots.push(snapshot);
    }
    folder
        .plan_all(planned, "postgres", None)
        .files
        .commit()
        .unwrap();
    snapshots
}

/// A schema that differs from the others by its namespaces.
fn schema_with(namespace: &str) -> Schema {
    Schema {
        schemas: vec![namespace.to_string()],
        ..Schema::default()
    }
}

#[test]
fn a_break_in_the_middle_of_the_chain_is_an_error_naming_both_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let f = folder(dir.path());
    let (a, b, c) = (schema_with("a"), schema_with("b"), schema_with("c"));
    let bogus = "11111111-1111-1111-1111-111111111111";
    // The newest follows the one before it; the middle one follows nothing in the folder.
    write_all(
        &f,
        &[
            ("20240101000000_a", ROOT_ID, &a),
            ("20240101000001_b", bogus, &b),
            ("20240101000002_c", "#1", &c),
        ],
    );
    let err = f.read("postgres").unwrap_err().to_string();
    assert!(
        err.contains("do not form one chain")
            && err.contains(&format!("prevId is {bogus}"))
            && err.contains("the previous migration 20240101000000_a has id")
            && err.contains("delete the migrations from 20240101000001_b on"),
        "{err}"
    );
}

#[test]
fn a_fork_in_the_middle_of_the_chain_is_an_error_naming_both_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let f = folder(dir.path());
    let (a, b, c) = (schema_with("a"), schema_with("b"), schema_with("c"));
    let mut d = c.clone();
    d.schemas.push("d".into());
    // b and c both follow a (two branches, merged); d follows c.
    write_all(
        &f,
        &[
            ("20240101000000_a", ROOT_ID, &a),
            ("20240101000001_b", "#0", &b),
            ("20240101000002_c", "#0", &c),
            ("20240101000003_d", "#2", &d),
        ],
    );
    let err = f.read("postgres").unwrap_err().to_string();
    assert!(
        err.contains("migrations 20240101000001_b and 20240101000002_c both follow migration 20240101000000_a")
            && err.contains("regenerate 20240101000002_c on top of 20240101000001_b"),
        "{err}"
    );
}

/// Snapshots are named by version: a timestamp tag's stamp, an adopted sqlx-cli migration's
/// integer version; an adopted reversible pair's up file is `<tag>.up.sql`.
#[test]
fn snapshots_are_named_by_version_and_adopted_pairs_by_their_up_file() {
    assert_eq!(stamp_of("20240101000000_init"), "20240101000000");
    assert_eq!(stamp_of("20240101000000"), "20240101000000");
    assert_eq!(stamp_of("3_add_posts"), "3");
    let dir = tempfile::tempdir().unwrap();
    let f = folder(dir.path());
    assert!(f
        .snapshot_path("3_add_posts")
        .ends_with("meta/3_snapshot.json"));
    let mut journal = Journal::new("postgres");
    let entry = journal.push("3_add_posts", 0);
    assert!(f.up_path(entry).ends_with("3_add_posts.sql"));
    entry.adopted = true;
    entry.down = true;
    assert!(f.up_path(entry).ends_with("3_add_posts.up.sql"));
}
