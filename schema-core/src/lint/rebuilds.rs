//! What a change costs on the dialect it runs on ([`Costs`]): PostgreSQL locks, scans and
//! casts in place; SQLite rebuilds the table (every row copied while the database is locked for
//! writes), so its findings say that, with suggestions without PostgreSQL's `CONCURRENTLY` and
//! `NOT VALID` steps, and it has no index build to advise `CONCURRENTLY` for. MySQL's online
//! DDL alters in place without `CONCURRENTLY`: a type change, a foreign key or a check copies
//! the table (`ALGORITHM=COPY`, writes wait), NOT NULL rebuilds it in place
//! (`ALGORITHM=INPLACE`, writes go on), and a NOT NULL column added without a default takes
//! its type's implicit value instead of failing.

use super::{
    suggestion_for, ADD_CHECK, ADD_FOREIGN_KEY, ADD_NOT_NULL_WITHOUT_DEFAULT, ADD_UNIQUE,
    SET_NOT_NULL, TYPE_CHANGE,
};
use crate::model::ColumnType;
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
    /// Changes run in place but without `CONCURRENTLY` / `NOT VALID` (MySQL's online DDL): a
    /// type change, a foreign key or a check copies the table.
    pub copies_tables: bool,
    /// Tables are named with their schema (`public.t`); without schemas (SQLite, MySQL) a
    /// finding names `t` and `t.col`.
    pub schemas: bool,
}

/// What a table copy costs on MySQL.
const COPIES: &str = "copies the table (ALGORITHM=COPY: writes wait until it is done)";

impl Costs {
    /// PostgreSQL's: changes in place under locks, concurrent index builds.
    pub const IN_PLACE: Costs = Costs {
        rebuilds_tables: false,
        concurrent_indexes: true,
        copies_tables: false,
        schemas: true,
    };

    /// The costs of `dialect`, from its capabilities: a dialect that alters constraints in
    /// place but builds no index concurrently has MySQL's online DDL.
    pub fn of(dialect: &dyn Dialect) -> Costs {
        let in_place = dialect.supports_alter_constraints();
        Costs {
            rebuilds_tables: !in_place,
            concurrent_indexes: dialect.supports_concurrent_indexes(),
            copies_tables: in_place && !dialect.supports_concurrent_indexes(),
            schemas: dialect.supports_schemas(),
        }
    }

    /// `in_place` (PostgreSQL's wording), or what `code` costs on MySQL; for the codes whose
    /// cost a rebuild does not change.
    pub(super) fn in_place(&self, code: &str, in_place: &str) -> String {
        if !self.copies_tables {
            return in_place.to_string();
        }
        match code {
            TYPE_CHANGE => format!("{COPIES}, and fails on a row whose value the new type cannot hold"),
            SET_NOT_NULL => "rebuilds the table in place (ALGORITHM=INPLACE: writes go on)".to_string(),
            ADD_FOREIGN_KEY => format!("{COPIES} while foreign_key_checks is on, checking the references between"),
            ADD_CHECK => COPIES.to_string(),
            ADD_NOT_NULL_WITHOUT_DEFAULT => "gives the existing rows its type's implicit value (0, '', an enum's first value, or a zero date, which MySQL 8 refuses) instead of failing".to_string(),
            _ => in_place.to_string(),
        }
    }

    /// What changing a column from `from` to `to` costs: [`Costs::phrase`]; `None` for values
    /// appended to an enum on MySQL, which change only the table's metadata (ALGORITHM=INSTANT
    /// while it keeps under 256 values) and so are no finding, as PostgreSQL's `ADD VALUE`.
    pub(super) fn type_change(
        &self,
        from: &ColumnType,
        to: &ColumnType,
        in_place: &str,
    ) -> Option<String> {
        let appended = match (from, to) {
            (ColumnType::Builtin(from), ColumnType::Builtin(to)) => from
                .strip_suffix(')')
                .filter(|head| head.starts_with("enum("))
                .is_some_and(|head| to.starts_with(&format!("{head},"))),
            _ => false,
        };
        if self.copies_tables && appended {
            return None;
        }
        Some(self.phrase(TYPE_CHANGE, in_place))
    }

    /// `in_place`, or what a rebuild costs when the dialect rebuilds the table for `code`.
    pub(super) fn phrase(&self, code: &str, in_place: &str) -> String {
        if !self.rebuilds_tables {
            return self.in_place(code, in_place);
        }
        match code {
            TYPE_CHANGE => format!("{REBUILDS}; a value SQLite cannot convert keeps its old type"),
            ADD_FOREIGN_KEY => format!("{REBUILDS}, checking every reference of"),
            _ => REBUILDS.to_string(),
        }
    }

    /// What to do about a finding with `code` on this dialect.
    pub(super) fn suggestion(&self, code: &str) -> &'static str {
        if self.copies_tables {
            return match code {
                SET_NOT_NULL => "backfill the NULLs first, or give the column a default (its NULLs are set to it first)",
                ADD_FOREIGN_KEY => "fix orphan rows first; on a large table check them yourself and add the key with foreign_key_checks=0 (ALGORITHM=INPLACE) in a --custom migration",
                ADD_CHECK => "fix violating rows first",
                ADD_UNIQUE => "remove the duplicates first (InnoDB builds the index in place, but fails on the first duplicate)",
                ADD_NOT_NULL_WITHOUT_DEFAULT => "give the column a default, or add it nullable, backfill it, then set NOT NULL in a later migration",
                _ => suggestion_for(code),
            };
        }
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

/// The values of an enum column type (`enum('open','closed')`, MySQL's) that `to` no longer
/// has; `None` when both are no such types or nothing is lost.
pub(super) fn lost_enum_values(from: &ColumnType, to: &ColumnType) -> Option<Vec<String>> {
    let (ColumnType::Builtin(from), ColumnType::Builtin(to)) = (from, to) else {
        return None;
    };
    let (from, to) = (enum_values(from)?, enum_values(to)?);
    let lost: Vec<String> = from.into_iter().filter(|v| !to.contains(v)).collect();
    (!lost.is_empty()).then_some(lost)
}

/// `enum('a','it''s')` as its values.
fn enum_values(ty: &str) -> Option<Vec<String>> {
    let list = ty.strip_prefix("enum(")?.strip_suffix(')')?;
    let mut values = Vec::new();
    let mut chars = list.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                } else {
                    break;
                }
            }
            value.push(c);
        }
        values.push(value);
    }
    Some(values)
}

#[cfg(test)]
mod tests {
    use crate::diff::{Change, QualifiedName};
    use crate::lint::{lint_sized_with, Costs, TableSizes, TYPE_CHANGE};
    use crate::model::{ColumnType, Schema};

    fn sqlite() -> Costs {
        Costs::of(&crate::render::Sqlite)
    }

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
        let sizes = TableSizes::new(1_000).with("t", 3);
        let old = Schema::default();
        let findings = lint_sized_with(&old, &old, &changes, &sizes, sqlite());
        let in_place = lint_sized_with(&old, &old, &changes, &sizes, Costs::IN_PLACE);
        assert_eq!(findings[0].code, TYPE_CHANGE);
        assert_eq!(
            findings[0].message,
            "changing t.c from integer to text rebuilds the table (every row is copied while the database is locked for writes); a value SQLite cannot convert keeps its old type (about 3 rows)"
        );
        assert!(!findings[0].suggestion.contains("PostgreSQL"));
        assert_eq!(
            findings[1].message,
            in_place[1].message.replace("public.", "")
        );
        assert_eq!(findings[1].suggestion, in_place[1].suggestion);
    }

    fn mysql() -> Costs {
        Costs::of(&crate::render::Mysql)
    }

    #[test]
    fn mysql_words_copies_and_implicit_values_without_postgresql_steps() {
        let t = QualifiedName::new("public", "t");
        let changes = vec![
            Change::AlterColumnType {
                table: t.clone(),
                column: "c".into(),
                from: ColumnType::Builtin("int".into()),
                to: ColumnType::Builtin("bigint".into()),
            },
            Change::AddColumn {
                table: t.clone(),
                column: crate::model::Column {
                    name: "n".into(),
                    ty: ColumnType::Builtin("int".into()),
                    nullable: false,
                    default: None,
                    identity: false,
                    identity_options: Default::default(),
                    generated: None,
                    renamed_from: None,
                },
            },
            Change::SetNotNull {
                table: t,
                column: "d".into(),
            },
        ];
        let old = Schema::default();
        let findings = lint_sized_with(&old, &old, &changes, &TableSizes::new(1_000), mysql());
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "changing t.c from int to bigint copies the table (ALGORITHM=COPY: writes wait until it is done), and fails on a row whose value the new type cannot hold",
                "adding NOT NULL column t.n without a default gives the existing rows its type's implicit value (0, '', an enum's first value, or a zero date, which MySQL 8 refuses) instead of failing",
                "setting t.d NOT NULL rebuilds the table in place (ALGORITHM=INPLACE: writes go on), and fails if a row holds NULL",
            ]
        );
        assert!(findings
            .iter()
            .all(|f| !f.suggestion.contains("PostgreSQL") && !f.suggestion.contains("NOT VALID")));
    }

    #[test]
    fn a_value_removed_from_a_mysql_enum_column_is_an_error() {
        let ty = |s: &str| ColumnType::Builtin(s.into());
        let change = Change::AlterColumnType {
            table: QualifiedName::new("public", "t"),
            column: "state".into(),
            from: ty("enum('open','it''s','closed')"),
            to: ty("enum('open','closed','archived')"),
        };
        let old = Schema::default();
        let findings = lint_sized_with(&old, &old, &[change], &TableSizes::new(1_000), mysql());
        assert_eq!(findings[0].code, crate::lint::DROP_ENUM_VALUE);
        assert_eq!(
            findings[0].message,
            "removing value(s) 'it's' from the enum of column t.state fails on any row that still holds them"
        );
        assert_eq!(findings[1].code, TYPE_CHANGE);
        let appended = super::lost_enum_values(&ty("enum('a')"), &ty("enum('a','b')"));
        assert_eq!(appended, None);
    }

    /// Values appended to a MySQL enum change only the metadata: no finding, as PostgreSQL's
    /// `ADD VALUE`; a value inserted before the end is a type change.
    #[test]
    fn values_appended_to_a_mysql_enum_column_are_no_finding() {
        let ty = |s: &str| ColumnType::Builtin(s.into());
        let change = |to: &str| Change::AlterColumnType {
            table: QualifiedName::new("public", "t"),
            column: "state".into(),
            from: ty("enum('open','closed')"),
            to: ty(to),
        };
        let old = Schema::default();
        let lint = |c| lint_sized_with(&old, &old, &[c], &TableSizes::new(1_000), mysql());
        assert!(lint(change("enum('open','closed','archived')")).is_empty());
        let inserted = lint(change("enum('open','draft','closed')"));
        assert_eq!(inserted.len(), 1);
        assert_eq!(inserted[0].code, TYPE_CHANGE);
    }
}
