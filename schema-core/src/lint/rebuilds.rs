//! What a change costs on the dialect it runs on ([`Costs`]): PostgreSQL locks, scans and
//! casts in place; SQLite rebuilds the table (every row copied while the database is locked for
//! writes), so its findings say that, with suggestions without PostgreSQL's `CONCURRENTLY` and
//! `NOT VALID` steps, and it has no index build to advise `CONCURRENTLY` for.

use super::{suggestion_for, ADD_CHECK, ADD_FOREIGN_KEY, ADD_UNIQUE, SET_NOT_NULL, TYPE_CHANGE};
use crate::render::Dialect;

/// What a rebuild costs, in place of the PostgreSQL wording.
const REBUILDS: &str =
    "rebuilds the table (every row is copied while the database is locked for writes)";

/// How the dialect makes the changes lint speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Costs {
    /// Constraint, type and nullability changes rebuild the table (no `ALTER` in place).
    pub rebuilds_tables: bool,
    /// Indexes can be built without blocking writes (`index-without-concurrently` applies).
    pub concurrent_indexes: bool,
}

impl Costs {
    /// PostgreSQL's: changes in place under locks, concurrent index builds.
    pub const IN_PLACE: Costs = Costs {
        rebuilds_tables: false,
        concurrent_indexes: true,
    };

    /// The costs of `dialect`, from its capabilities.
    pub fn of(dialect: &dyn Dialect) -> Costs {
        Costs {
            rebuilds_tables: !dialect.supports_alter_constraints(),
            concurrent_indexes: dialect.supports_concurrent_indexes(),
        }
    }

    /// `in_place`, or what a rebuild costs when the dialect rebuilds the table for `code`.
    pub(super) fn phrase(&self, code: &str, in_place: &str) -> String {
        if !self.rebuilds_tables {
            return in_place.to_string();
        }
        match code {
            TYPE_CHANGE => format!("{REBUILDS}; a value SQLite cannot convert keeps its old type"),
            ADD_FOREIGN_KEY => format!("{REBUILDS}, checking every reference of"),
            _ => REBUILDS.to_string(),
        }
    }

    /// What to do about a finding with `code` on this dialect.
    pub(super) fn suggestion(&self, code: &str) -> &'static str {
        if !self.rebuilds_tables {
            return suggestion_for(code);
        }
        match code {
            SET_NOT_NULL => "backfill the NULLs first, or give the column a default (the rebuild fills the NULLs with it)",
            TYPE_CHANGE => "SQLite keeps a value it cannot convert to the new type as it is: convert the values first if the code relies on the type",
            ADD_UNIQUE => "remove the duplicates first",
            ADD_FOREIGN_KEY => "fix orphan rows first: the rebuild checks every reference before it commits",
            ADD_CHECK => "fix violating rows first",
            _ => suggestion_for(code),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diff::{Change, QualifiedName};
    use crate::lint::{lint_sized_with, Costs, TableSizes, TYPE_CHANGE};
    use crate::model::{ColumnType, Schema};

    const SQLITE: Costs = Costs {
        rebuilds_tables: true,
        concurrent_indexes: false,
    };

    #[test]
    fn locks_and_casts_become_a_rebuild_and_other_codes_stay() {
        let t = QualifiedName::new("public", "t");
        let changes = vec![
            Change::AlterColumnType {
                table: t.clone(),
                column: "c".into(),
                from: ColumnType::Builtin("integer".into()),
                to: ColumnType::Builtin("text".into()),
            },
            Change::DropColumn {
                table: t,
                column: "d".into(),
            },
        ];
        let sizes = TableSizes::new(1_000).with("public.t", 3);
        let old = Schema::default();
        let findings = lint_sized_with(&old, &old, &changes, &sizes, SQLITE);
        let in_place = lint_sized_with(&old, &old, &changes, &sizes, Costs::IN_PLACE);
        assert_eq!(findings[0].code, TYPE_CHANGE);
        assert_eq!(
            findings[0].message,
            "changing public.t.c from integer to text rebuilds the table (every row is copied while the database is locked for writes); a value SQLite cannot convert keeps its old type (about 3 rows)"
        );
        assert!(!findings[0].suggestion.contains("PostgreSQL"));
        assert_eq!(findings[1].message, in_place[1].message);
        assert_eq!(findings[1].suggestion, in_place[1].suggestion);
    }
}
