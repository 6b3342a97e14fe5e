//! Snapshots and the journal: the on-disk record of what each migration left the schema as.
//!
//! A [`Snapshot`] is the whole [`Schema`] after one migration, chained to the one before it by
//! `id` / `prevId`; the [`Journal`] lists the migrations in order (`meta/_journal.json`).
//! Everything here is pure: parsing from and serializing to JSON text, no files.
//! Serialization is deterministic (sorted maps, fixed field order, 2-space indent, trailing
//! newline), so the same schema always gives byte-identical files.

use crate::model::{Enum, Schema, Sequence, Table, View};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The snapshot format version written in every snapshot.
pub const SNAPSHOT_VERSION: &str = "1";
/// The journal format version written in the journal and each of its entries.
pub const JOURNAL_VERSION: &str = "7";
/// The `prevId` of the first snapshot.
pub const ROOT_ID: &str = "00000000-0000-0000-0000-000000000000";

/// What went wrong reading a snapshot or the journal.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SnapshotError {
    /// The text is not valid JSON, or not the expected shape.
    #[error("corrupt {what} at line {line}, column {column}: {message}")]
    Json {
        what: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    /// Git left its conflict markers in the file.
    #[error("{what} has merge conflict markers at line {line}; resolve the conflict: for the journal keep the entries of both sides in the order of their tags and number their `idx` again, then run `check`, which says whether the two sides' migrations fork")]
    Conflict { what: &'static str, line: usize },
    /// A format version this build does not read.
    #[error("unsupported {what} version {found:?} (this build reads version {expected:?})")]
    Version {
        what: &'static str,
        found: String,
        expected: &'static str,
    },
}

/// The schema after one migration, with the ids that chain it to the previous snapshot.
///
/// On disk the schema's fields sit beside the ids (`version`, `dialect`, `id`, `prevId`,
/// `schemas`, `enums`, `tables`, `sequences` and `views` when there are any); the (de)serializers below spell that out instead of using
/// `#[serde(flatten)]`, which buffers the whole document and reads it several times slower.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub version: String,
    pub dialect: String,
    /// A deterministic id: a UUID-formatted hash of `prevId` and the schema.
    pub id: String,
    pub prev_id: String,
    pub schema: Schema,
}

#[derive(Serialize)]
struct SnapshotOut<'a> {
    version: &'a str,
    dialect: &'a str,
    id: &'a str,
    #[serde(rename = "prevId")]
    prev_id: &'a str,
    schemas: &'a Vec<String>,
    enums: &'a BTreeMap<String, Enum>,
    tables: &'a BTreeMap<String, Table>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    sequences: &'a BTreeMap<String, Sequence>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    views: &'a BTreeMap<String, View>,
}

#[derive(Deserialize)]
struct SnapshotIn {
    version: String,
    dialect: String,
    id: String,
    #[serde(rename = "prevId")]
    prev_id: String,
    #[serde(default)]
    schemas: Vec<String>,
    #[serde(default)]
    enums: BTreeMap<String, Enum>,
    #[serde(default)]
    tables: BTreeMap<String, Table>,
    #[serde(default)]
    sequences: BTreeMap<String, Sequence>,
    #[serde(default)]
    views: BTreeMap<String, View>,
}

impl Serialize for Snapshot {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SnapshotOut {
            version: &self.version,
            dialect: &self.dialect,
            id: &self.id,
            prev_id: &self.prev_id,
            schemas: &self.schema.schemas,
            enums: &self.schema.enums,
            tables: &self.schema.tables,
            sequences: &self.schema.sequences,
            views: &self.schema.views,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = SnapshotIn::deserialize(deserializer)?;
        Ok(Snapshot {
            version: s.version,
            dialect: s.dialect,
            id: s.id,
            prev_id: s.prev_id,
            schema: Schema {
                schemas: s.schemas,
                enums: s.enums,
                tables: s.tables,
                sequences: s.sequences,
                views: s.views,
            },
        })
    }
}

/// `meta/_journal.json`: the migrations in the order they apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub version: String,
    pub dialect: String,
    pub entries: Vec<JournalEntry>,
}

/// One migration in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub idx: u32,
    pub version: String,
    /// When it was generated, in milliseconds since the Unix epoch.
    pub when: u64,
    /// The migration file's stem: `<YYYYMMDDHHMMSS>_<name>`.
    pub tag: String,
    /// Statements are separated by `--> statement-breakpoint` lines.
    pub breakpoints: bool,
    /// The migration has a down file, `<tag>.down.sql`; written only when true, so an entry
    /// without one reads and prints as before.
    #[serde(default, skip_serializing_if = "is_false")]
    pub down: bool,
    /// A migration this tool did not write (a sqlx-cli migration kept by `baseline`): its tag
    /// is its file's stem (`<version>_<description>`, the version an integer or a timestamp),
    /// its up file is `<tag>.sql`, or `<tag>.up.sql` when `down` is true (sqlx-cli's
    /// reversible pair), and its snapshot `meta/<version>_snapshot.json`. Written only when
    /// true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub adopted: bool,
    /// Written by `baseline` (or an import): the migration creates the schema a database
    /// already had, where it was recorded as applied without running it. Written only when
    /// true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub baseline: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Snapshot {
    /// The snapshot of `schema` following the snapshot `prev_id` ([`ROOT_ID`] for the first).
    /// Source-only rename hints are stripped: they describe how the source changed, not state.
    pub fn new(dialect: &str, prev_id: &str, schema: &Schema) -> Snapshot {
        Self::of_owned(dialect, prev_id, schema.clone())
    }

    /// As [`Snapshot::new`], taking the schema (its rename hints are cleared in place).
    pub fn of_owned(dialect: &str, prev_id: &str, mut schema: Schema) -> Snapshot {
        clear_rename_hints(&mut schema);
        let id = snapshot_id(prev_id, &schema);
        Snapshot {
            version: SNAPSHOT_VERSION.to_string(),
            dialect: dialect.to_string(),
            id,
            prev_id: prev_id.to_string(),
            schema,
        }
    }

    /// Parses a snapshot file's text.
    pub fn parse(text: &str) -> Result<Snapshot, SnapshotError> {
        let snapshot: Snapshot = parse_json("snapshot", text)?;
        check_version("snapshot", &snapshot.version, SNAPSHOT_VERSION)?;
        Ok(snapshot)
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        pretty(self)
    }
}

/// `Snapshot::new(dialect, prev_id, schema).to_json()`, without copying a schema that has no
/// rename hints to strip (the common case, and a large schema takes milliseconds to copy).
pub fn snapshot_json(dialect: &str, prev_id: &str, schema: &Schema) -> String {
    if has_rename_hints(schema) {
        return Snapshot::new(dialect, prev_id, schema).to_json();
    }
    let id = snapshot_id(prev_id, schema);
    pretty(&SnapshotOut {
        version: SNAPSHOT_VERSION,
        dialect,
        id: &id,
        prev_id,
        schemas: &schema.schemas,
        enums: &schema.enums,
        tables: &schema.tables,
        sequences: &schema.sequences,
        views: &schema.views,
    })
}

fn has_rename_hints(schema: &Schema) -> bool {
    schema.enums.values().any(|e| e.renamed_from.is_some())
        || schema.sequences.values().any(|s| s.renamed_from.is_some())
        || schema.views.values().any(|v| v.renamed_from.is_some())
        || schema
            .tables
            .values()
            .any(|t| t.renamed_from.is_some() || t.columns.iter().any(|c| c.renamed_from.is_some()))
}

impl Journal {
    /// An empty journal for `dialect`.
    pub fn new(dialect: &str) -> Journal {
        Journal {
            version: JOURNAL_VERSION.to_string(),
            dialect: dialect.to_string(),
            entries: Vec::new(),
        }
    }

    /// Parses `_journal.json`'s text.
    pub fn parse(text: &str) -> Result<Journal, SnapshotError> {
        let journal: Journal = parse_json("journal", text)?;
        check_version("journal", &journal.version, JOURNAL_VERSION)?;
        Ok(journal)
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        pretty(self)
    }

    /// The newest entry, if any.
    pub fn last(&self) -> Option<&JournalEntry> {
        self.entries.last()
    }

    /// Appends the entry for migration `tag` generated at `when` (ms) and returns it.
    pub fn push(&mut self, tag: &str, when: u64) -> &mut JournalEntry {
        let idx = self.entries.iter().map(|e| e.idx + 1).max().unwrap_or(0);
        self.entries.push(JournalEntry {
            idx,
            version: JOURNAL_VERSION.to_string(),
            when,
            tag: tag.to_string(),
            breakpoints: true,
            down: false,
            adopted: false,
            baseline: false,
        });
        let last = self.entries.len() - 1;
        &mut self.entries[last]
    }
}

/// A copy of `schema` without the `renamed_from` hints of tables, columns, enums and sequences.
pub fn without_rename_hints(schema: &Schema) -> Schema {
    let mut schema = schema.clone();
    clear_rename_hints(&mut schema);
    schema
}

/// Clears the `renamed_from` hints of tables, columns, enums and sequences.
fn clear_rename_hints(schema: &mut Schema) {
    for table in schema.tables.values_mut() {
        table.renamed_from = None;
        for column in &mut table.columns {
            column.renamed_from = None;
        }
    }
    for e in schema.enums.values_mut() {
        e.renamed_from = None;
    }
    for s in schema.sequences.values_mut() {
        s.renamed_from = None;
    }
    for v in schema.views.values_mut() {
        v.renamed_from = None;
    }
}

/// The id of the snapshot of `schema` after `prev_id`: a 128-bit FNV-1a hash of both,
/// formatted as a UUID (marked version 8, "custom", since it is derived, not random).
pub fn snapshot_id(prev_id: &str, schema: &Schema) -> String {
    let mut hasher = Fnv128::new();
    hasher.write(prev_id.as_bytes());
    hasher.write(&[0]);
    // The canonical JSON streams into the hash; serializing the model cannot fail (maps and
    // vectors of strings and booleans), and writing to the hasher cannot either.
    let _ = serde_json::to_writer(&mut hasher, schema);
    format_uuid(hasher.finish())
}

fn format_uuid(hash: u128) -> String {
    let mut bytes = hash.to_be_bytes();
    // Mark as an RFC 9562 version 8 (custom) UUID with the RFC variant.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// 128-bit FNV-1a.
struct Fnv128(u128);

impl Fnv128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn new() -> Fnv128 {
        Fnv128(Self::OFFSET)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u128::from(*b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    fn finish(&self) -> u128 {
        self.0
    }
}

impl std::io::Write for Fnv128 {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Fnv128::write(self, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    text: &str,
) -> Result<T, SnapshotError> {
    let conflict = text
        .lines()
        .position(|l| l.starts_with("<<<<<<< ") || l == "=======" || l.starts_with(">>>>>>> "));
    if let Some(at) = conflict {
        return Err(SnapshotError::Conflict { what, line: at + 1 });
    }
    serde_json::from_str(text).map_err(|e| SnapshotError::Json {
        what,
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })
}

/// serde_json appends " at line L column C" to its messages; the error states them itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

fn check_version(
    what: &'static str,
    found: &str,
    expected: &'static str,
) -> Result<(), SnapshotError> {
    if found == expected {
        Ok(())
    } else {
        Err(SnapshotError::Version {
            what,
            found: found.to_string(),
            expected,
        })
    }
}

fn pretty<T: Serialize>(value: &T) -> String {
    // serde_json's pretty printer indents with two spaces; serializing the model cannot fail.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, ColumnType, Enum, Table};

    #[test]
    fn snapshot_json_is_the_snapshot_printed_with_or_without_hints() {
        let hinted = schema();
        let plain = without_rename_hints(&hinted);
        for s in [&hinted, &plain] {
            assert_eq!(
                snapshot_json("postgres", ROOT_ID, s),
                Snapshot::new("postgres", ROOT_ID, s).to_json()
            );
        }
        assert!(!snapshot_json("postgres", ROOT_ID, &hinted).contains("renamed"));
    }

    fn schema() -> Schema {
        let mut s = Schema::default();
        let column = |name: &str, hint: Option<&str>| Column {
            name: name.to_string(),
            ty: ColumnType::Builtin("integer".to_string()),
            nullable: false,
            default: None,
            identity: false,
            identity_options: Default::default(),
            generated: None,
            renamed_from: hint.map(str::to_string),
        };
        s.tables.insert(
            "public.accounts".to_string(),
            Table {
                schema: "public".to_string(),
                name: "accounts".to_string(),
                columns: vec![column("id", None), column("age", Some("years"))],
                primary_key: None,
                uniques: vec![],
                indexes: vec![],
                foreign_keys: vec![],
                checks: vec![],
                rls: false,
                policies: Vec::new(),
                renamed_from: Some("users".to_string()),
            },
        );
        s.enums.insert(
            "public.state".to_string(),
            Enum {
                schema: "public".to_string(),
                name: "state".to_string(),
                values: vec!["open".to_string(), "closed".to_string()],
                renamed_from: Some("status".to_string()),
            },
        );
        s
    }

    #[test]
    fn snapshot_round_trips_byte_identically() {
        let snap = Snapshot::new("postgres", ROOT_ID, &schema());
        let text = snap.to_json();
        assert!(text.ends_with("}\n"));
        assert!(text.starts_with("{\n  \"version\": \"1\",\n  \"dialect\": \"postgres\",\n"));
        assert!(text.contains("\"prevId\": \"00000000-0000-0000-0000-000000000000\""));
        let back = Snapshot::parse(&text).unwrap();
        assert_eq!(back, snap);
        assert_eq!(back.to_json(), text);
    }

    #[test]
    fn rename_hints_are_stripped() {
        let snap = Snapshot::new("postgres", ROOT_ID, &schema());
        assert!(!snap.to_json().contains("renamed_from"));
        assert_eq!(snap.schema, without_rename_hints(&schema()));
    }

    #[test]
    fn ids_are_deterministic_uuids_that_chain() {
        let a = Snapshot::new("postgres", ROOT_ID, &schema());
        let b = Snapshot::new("postgres", ROOT_ID, &schema());
        assert_eq!(a.id, b.id);
        let id = a.id.as_bytes();
        assert_eq!(a.id.len(), 36);
        assert_eq!((id[8], id[13], id[18], id[23]), (b'-', b'-', b'-', b'-'));
        assert_eq!(id[14], b'8');
        // Same schema after another snapshot: a new id.
        let c = Snapshot::new("postgres", &a.id, &schema());
        assert_ne!(c.id, a.id);
        // Hints do not change the id; state does.
        let mut hintless = schema();
        hintless
            .tables
            .get_mut("public.accounts")
            .unwrap()
            .renamed_from = None;
        assert_eq!(Snapshot::new("postgres", ROOT_ID, &hintless).id, a.id);
        assert_ne!(
            Snapshot::new("postgres", ROOT_ID, &Schema::default()).id,
            a.id
        );
    }

    #[test]
    fn corrupt_json_names_line_and_column() {
        let err = Journal::parse("{\n  \"version\": \"7\",\n  \"dialect\": ,\n}").unwrap_err();
        match err {
            SnapshotError::Json {
                what, line, column, ..
            } => {
                assert_eq!((what, line, column), ("journal", 3, 14));
            }
            other => panic!("unexpected {other:?}"),
        }
        let err = Snapshot::parse("{\"version\": \"1\"}").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("corrupt snapshot at line 1, column 16: missing field"),
            "{text}"
        );
    }

    #[test]
    fn unknown_versions_are_rejected() {
        let mut journal = Journal::new("postgres");
        journal.version = "5".to_string();
        let err = Journal::parse(&journal.to_json()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported journal version \"5\" (this build reads version \"7\")"
        );
    }

    #[test]
    fn merge_conflict_markers_are_named() {
        let text = "{\n  \"version\": \"7\",\n<<<<<<< HEAD\n  \"entries\": []\n=======\n>>>>>>> branch\n}\n";
        let e = Journal::parse(text).unwrap_err().to_string();
        assert!(
            e.starts_with("journal has merge conflict markers at line 3;"),
            "{e}"
        );
    }

    #[test]
    fn journal_appends_with_next_index() {
        let mut journal = Journal::new("postgres");
        journal.push("20240101000000_create_accounts", 1_704_067_200_000);
        journal.push("20240101000001_add_age", 1_704_067_201_000);
        assert_eq!(journal.last().unwrap().idx, 1);
        let text = journal.to_json();
        assert_eq!(Journal::parse(&text).unwrap(), journal);
        assert!(text.contains(
            "    {\n      \"idx\": 0,\n      \"version\": \"7\",\n      \"when\": 1704067200000,\n      \"tag\": \"20240101000000_create_accounts\",\n      \"breakpoints\": true\n    }"
        ));
    }
    /// `adopted` and `baseline` are written only when true, and read back.
    #[test]
    fn journal_flags_of_adopted_and_baseline_entries() {
        let mut journal = Journal::new("sqlite");
        let e = journal.push("3_add_posts", 1_704_067_200_000);
        (e.adopted, e.down, e.breakpoints) = (true, true, false);
        journal
            .push("20240101000001_baseline", 1_704_067_201_000)
            .baseline = true;
        journal.push("20240101000002_add_age", 1_704_067_202_000);
        let text = journal.to_json();
        assert_eq!(Journal::parse(&text).unwrap(), journal);
        assert!(
            text.contains(
                "\"breakpoints\": false,\n      \"down\": true,\n      \"adopted\": true\n    }"
            ),
            "{text}"
        );
        assert!(
            text.contains("\"breakpoints\": true,\n      \"baseline\": true\n    }"),
            "{text}"
        );
        assert_eq!(
            text.matches("adopted").count() + text.matches("baseline\":").count(),
            2,
            "{text}"
        );
    }
}
