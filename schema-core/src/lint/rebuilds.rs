//! Findings as they read on a dialect that rebuilds a table for these changes (SQLite): no
//! table locks, scans or casts, but a copy of every row while the database is locked for
//! writes; and suggestions without PostgreSQL's `CONCURRENTLY` and `NOT VALID` steps.

use super::{Finding, ADD_CHECK, ADD_FOREIGN_KEY, ADD_UNIQUE, SET_NOT_NULL, TYPE_CHANGE};

/// What a rebuild costs, in place of the PostgreSQL wording.
const REBUILDS: &str =
    "rebuilds the table (every row is copied while the database is locked for writes)";

/// Rewords the findings of changes the dialect makes by rebuilding the table.
pub fn for_table_rebuilds(findings: &mut [Finding]) {
    for f in findings {
        let (from, suggestion): (&[&str], &str) = match f.code {
            SET_NOT_NULL => (
                &[
                    "(an UPDATE of those rows), then scans the whole table under an exclusive lock",
                    "scans the whole table under an exclusive lock",
                ],
                "backfill the NULLs first, or give the column a default (the rebuild fills the NULLs with it)",
            ),
            TYPE_CHANGE => (
                &["may rewrite the table under an exclusive lock, and the cast may fail on existing rows"],
                "SQLite keeps a value it cannot convert to the new type as it is: convert the values first if the code relies on the type",
            ),
            ADD_UNIQUE => (
                &["builds an index that blocks writes"],
                "remove the duplicates first",
            ),
            ADD_FOREIGN_KEY => (
                &["scans the table to validate it, locking"],
                "fix orphan rows first: the rebuild checks every reference before it commits",
            ),
            ADD_CHECK => (
                &["scans the table under an exclusive lock"],
                "fix violating rows first",
            ),
            _ => continue,
        };
        for phrase in from {
            if f.message.contains(phrase) {
                let replacement = match f.code {
                    TYPE_CHANGE => {
                        format!("{REBUILDS}; a value SQLite cannot convert keeps its old type")
                    }
                    ADD_FOREIGN_KEY => format!("{REBUILDS}, checking every reference of"),
                    SET_NOT_NULL if phrase.starts_with("(an UPDATE") => format!("as it {REBUILDS}"),
                    _ => REBUILDS.to_string(),
                };
                f.message = f.message.replacen(phrase, &replacement, 1);
                break;
            }
        }
        f.suggestion = suggestion.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Severity;

    fn finding(code: &'static str, message: &str) -> Finding {
        Finding {
            code,
            severity: Severity::Warning,
            object: "public.t.c".into(),
            message: message.into(),
            suggestion: "on PostgreSQL ...".into(),
        }
    }

    #[test]
    fn locks_and_casts_become_a_rebuild_and_other_codes_stay() {
        let mut findings = vec![
            finding(TYPE_CHANGE, "changing public.t.c from integer to text may rewrite the table under an exclusive lock, and the cast may fail on existing rows (about 3 rows)"),
            finding("drop-column", "dropping column public.t.d deletes its data"),
        ];
        for_table_rebuilds(&mut findings);
        assert_eq!(
            findings[0].message,
            "changing public.t.c from integer to text rebuilds the table (every row is copied while the database is locked for writes); a value SQLite cannot convert keeps its old type (about 3 rows)"
        );
        assert!(!findings[0].suggestion.contains("PostgreSQL"));
        assert_eq!(
            findings[1].message,
            "dropping column public.t.d deletes its data"
        );
        assert_eq!(findings[1].suggestion, "on PostgreSQL ...");
    }
}
