//! The findings of sequence changes: `drop-sequence` (an error) and `rename-sequence` (a
//! warning, and how the gate reads back a rename answered by a flag).

use super::{finding, suggestion_for, Finding, Severity, DROP_SEQUENCE, RENAME_SEQUENCE};
use crate::diff::{Change, ObjectKind};

/// The code of the finding a rename of an object of `kind` gives (`rename-sequence`): the
/// gate reads a rename answered by a flag back from it.
pub fn rename_code(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Sequence => RENAME_SEQUENCE,
        ObjectKind::View => super::RENAME_VIEW,
        ObjectKind::Policy => super::RENAME_POLICY,
    }
}

/// The finding of a dropped or renamed sequence.
pub(super) fn lint(change: &Change, out: &mut Vec<Finding>) {
    match change {
        Change::DropSequence { name } => out.push(finding(
            DROP_SEQUENCE,
            Severity::Error,
            name.to_string(),
            format!("dropping sequence {name} forgets the last number it gave; a default or code still calling nextval on it fails"),
            suggestion_for(DROP_SEQUENCE),
        )),
        Change::RenameSequence { from, to } => out.push(finding(
            RENAME_SEQUENCE,
            Severity::Warning,
            to.to_string(),
            format!("renaming sequence {from} to {to} breaks running code that still calls it by the old name"),
            suggestion_for(RENAME_SEQUENCE),
        )),
        _ => {}
    }
}
