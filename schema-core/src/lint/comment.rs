//! Findings read back from the `-- lint:` comment lines [`Finding::comment`] writes at the top
//! of a migration file, with the suggestion the dialect's [`Costs`] give (the comment keeps
//! only the message).

use super::{
    Costs, Finding, Severity, ADD_UNIQUE, CODES, COMMENT_PREFIX, DOWN_CODES, STATEMENT_CODES,
    UNIQUE_INDEX_SUGGESTION,
};

/// A finding read back from its comment line (`-- lint: error drop-table public.comments: ...`),
/// as [`Finding::comment`] writes it; `None` for any other line, an acknowledgement or an
/// unknown code. The suggestion is not in the comment: it is PostgreSQL's
/// ([`super::suggestion_for`] the code); [`parse_comment_with`] gives another dialect's.
pub fn parse_comment(line: &str) -> Option<Finding> {
    parse_comment_with(line, Costs::IN_PLACE)
}

/// [`parse_comment`] for a file written for a dialect whose changes cost `costs`
/// ([`Costs::of`] the dialect): the suggestion is the one [`super::lint_with`] gave with
/// `costs`, so a SQLite or MySQL finding reads back without PostgreSQL's steps.
pub fn parse_comment_with(line: &str, costs: Costs) -> Option<Finding> {
    let rest = line.trim_start().strip_prefix(COMMENT_PREFIX)?;
    let rest = rest.strip_prefix(' ')?;
    let (severity, rest) = rest.split_once(' ')?;
    let severity = match severity {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        _ => return None,
    };
    let (code, rest) = rest.split_once(' ')?;
    let code = CODES
        .iter()
        .chain(STATEMENT_CODES)
        .chain(DOWN_CODES)
        .copied()
        .find(|c| *c == code)?;
    let (object, message) = rest.split_once(": ")?;
    Some(Finding {
        code,
        severity,
        suggestion: match (code, message.starts_with("adding unique index")) {
            (ADD_UNIQUE, true) => UNIQUE_INDEX_SUGGESTION,
            _ => costs.suggestion(code),
        }
        .to_string(),
        object: object.to_string(),
        message: message.trim_end().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use crate::diff::{Change, QualifiedName};
    use crate::lint::{self, parse_comment, parse_comment_with, Costs, CODES};
    use crate::model::{Check, Column, ColumnType, ForeignKey, Index, Schema, Unique};

    /// Changes on the existing table `public.t` that give every code.
    fn every_code() -> Vec<Change> {
        let t = || QualifiedName::new("public", "t");
        let ty = |s: &str| ColumnType::Builtin(s.into());
        let column = Column {
            name: "n".into(),
            ty: ty("integer"),
            nullable: false,
            default: None,
            identity: false,
            identity_options: Default::default(),
            generated: None,
            renamed_from: None,
        };
        let index = |name: &str, unique| Index {
            keys: Vec::new(),
            with: Default::default(),
            name: name.into(),
            columns: vec!["a".into()],
            unique,
            predicate: None,
            using: None,
            concurrently: false,
            nulls_not_distinct: false,
        };
        vec![
            Change::DropSchema {
                name: "audit".into(),
            },
            Change::DropTable {
                table: QualifiedName::new("public", "comments"),
            },
            Change::DropColumn {
                table: t(),
                column: "d".into(),
            },
            Change::AddColumn {
                table: t(),
                column: column.clone(),
            },
            Change::SetNotNull {
                table: t(),
                column: "a".into(),
            },
            Change::AlterColumnType {
                table: t(),
                column: "a".into(),
                from: ty("integer"),
                to: ty("text"),
            },
            Change::AlterColumnType {
                table: t(),
                column: "state".into(),
                from: ty("enum('open','closed')"),
                to: ty("enum('open')"),
            },
            Change::RebuildEnum {
                name: QualifiedName::new("public", "state"),
                temp_name: "state_old".into(),
                old_values: vec!["open".into(), "closed".into()],
                values: vec!["open".into()],
                columns: Vec::new(),
            },
            Change::AddUnique {
                table: t(),
                unique: Unique {
                    name: "t_a_key".into(),
                    columns: vec!["a".into()],
                    nulls_not_distinct: false,
                },
            },
            Change::CreateIndex {
                table: t(),
                index: index("t_a_key_idx", true),
            },
            Change::CreateIndex {
                table: t(),
                index: index("t_a_idx", false),
            },
            Change::AddForeignKey {
                table: t(),
                key: ForeignKey {
                    name: "t_a_fkey".into(),
                    columns: vec!["a".into()],
                    ref_schema: "public".into(),
                    ref_table: "u".into(),
                    ref_columns: vec!["id".into()],
                    on_delete: Default::default(),
                    on_update: Default::default(),
                },
            },
            Change::AddCheck {
                table: t(),
                check: Check {
                    name: "t_a_check".into(),
                    expr: "a <> ''".into(),
                },
            },
            Change::RenameTable {
                from: QualifiedName::new("public", "a"),
                to: QualifiedName::new("public", "b"),
            },
            Change::RenameColumn {
                table: t(),
                from: "a".into(),
                to: "b".into(),
            },
            Change::DropSequence {
                name: QualifiedName::new("public", "order_numbers"),
            },
            Change::RenameSequence {
                from: QualifiedName::new("public", "a_seq"),
                to: QualifiedName::new("public", "b_seq"),
            },
            Change::DropPolicy {
                table: t(),
                policy: crate::model::Policy {
                    name: "own_rows".into(),
                    restrictive: false,
                    command: Default::default(),
                    roles: Vec::new(),
                    using: Some("true".into()),
                    with_check: None,
                    renamed_from: None,
                },
                recreated: false,
            },
            Change::DisableRls { table: t() },
            Change::RenamePolicy {
                table: t(),
                from: "a_rows".into(),
                to: "b_rows".into(),
            },
            Change::DropView {
                name: QualifiedName::new("public", "open_issues"),
                materialized: false,
                recreated: false,
            },
            Change::RenameView {
                from: QualifiedName::new("public", "a_view"),
                to: QualifiedName::new("public", "b_view"),
                view: crate::model::View {
                    schema: "public".into(),
                    name: "b_view".into(),
                    columns: Vec::new(),
                    sql: "SELECT 1".into(),
                    materialized: false,
                    renamed_from: None,
                },
            },
            Change::AlterGenerated {
                table: t(),
                column: Column {
                    generated: Some(crate::model::Generated {
                        expr: "a * 2".into(),
                        is_virtual: false,
                    }),
                    ..column.clone()
                },
                from: None,
            },
        ]
    }

    fn costs(dialect: &str) -> Costs {
        Costs::of(crate::render::dialect(dialect).expect("a dialect"))
    }

    #[test]
    fn every_finding_of_every_dialect_reads_back_as_lint_gave_it() {
        let old = Schema::default();
        let changes = every_code();
        for dialect in ["postgres", "sqlite", "mysql"] {
            let costs = costs(dialect);
            let written = lint::lint_with(&old, &old, &changes, costs);
            let mut codes: Vec<&str> = written.iter().map(|f| f.code).collect();
            codes.sort_unstable();
            codes.dedup();
            let expected = match costs.concurrent_indexes {
                true => CODES.len(),
                false => CODES.len() - 1,
            };
            assert_eq!(codes.len(), expected, "{dialect}: {codes:?}");
            for f in written {
                let read = parse_comment_with(&f.comment(), costs);
                assert_eq!(read.as_ref(), Some(&f), "{dialect}");
            }
        }
    }

    #[test]
    fn without_costs_a_comment_reads_back_with_postgresql_suggestions() {
        let old = Schema::default();
        let changes = every_code();
        for f in lint::lint(&old, &old, &changes) {
            assert_eq!(parse_comment(&f.comment()), Some(f.clone()));
        }
        // The same line from a SQLite file: the suggestion differs by dialect.
        let sqlite = lint::lint_with(&old, &old, &changes[5..6], costs("sqlite"));
        let line = sqlite[0].comment();
        let (read, sqlite_read) = (
            parse_comment(&line).expect("parses"),
            parse_comment_with(&line, costs("sqlite")).expect("parses"),
        );
        assert_eq!(read.suggestion, lint::suggestion_for(lint::TYPE_CHANGE));
        assert_eq!(sqlite_read.suggestion, sqlite[0].suggestion);
        assert_ne!(read.suggestion, sqlite_read.suggestion);
    }
}
