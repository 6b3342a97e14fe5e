//! `drop-table`, `drop-column`, `drop-schema`, `drop-sequence`, `drop-database` and
//! `truncate-table`: statements
//! that delete data (squawk: `ban-drop-table`, `ban-drop-column`, `ban-drop-database`; squawk
//! has no rule for `TRUNCATE`).

use super::{altered_table, attribute_actions, name, At};
use schema_core::lint::{
    DROP_COLUMN, DROP_DATABASE, DROP_SCHEMA, DROP_SEQUENCE, DROP_TABLE, TRUNCATE_TABLE,
};
use squawk_syntax::ast::{self, AstNode};

pub(super) fn check(stmt: &ast::Stmt, at: &mut At<'_>) {
    match stmt {
        ast::Stmt::DropTable(d) => tables(d.table_name_refs(), at),
        ast::Stmt::DropForeignTable(d) => tables(d.table_name_refs(), at),
        ast::Stmt::DropSchema(d) => {
            for schema in d.schema_refs() {
                let schema = name(schema.syntax());
                let message = format!("dropping schema {schema} deletes everything left in it");
                at.report(DROP_SCHEMA, &schema, message);
            }
        }
        ast::Stmt::DropSequence(d) => {
            for sequence in d.sequence_refs() {
                let sequence = name(sequence.syntax());
                let message = format!("dropping sequence {sequence} forgets the last number it gave; a default or code still calling nextval on it fails");
                at.report(DROP_SEQUENCE, &sequence, message);
            }
        }
        ast::Stmt::DropDatabase(d) => {
            let database = d
                .database_ref()
                .map(|r| name(r.syntax()))
                .unwrap_or_default();
            let message = format!("dropping database {database} deletes every table in it");
            at.report(DROP_DATABASE, &database, message);
        }
        ast::Stmt::Truncate(t) => {
            let names = t
                .table_list()
                .into_iter()
                .flat_map(|l| l.table_relation_names());
            for table in names.filter_map(|n| n.table_name_ref()) {
                let table = name(table.syntax());
                let message = format!("truncating table {table} deletes all its rows");
                at.report(TRUNCATE_TABLE, &table, message);
            }
        }
        ast::Stmt::AlterType(t) => attributes(t, at),
        _ => columns(stmt, at),
    }
}

fn tables(names: ast::AstChildren<ast::TableNameRef>, at: &mut At<'_>) {
    for table in names {
        let table = name(table.syntax());
        let message = format!(
            "dropping table {table} deletes all its rows; running code that still reads it fails"
        );
        at.report(DROP_TABLE, &table, message);
    }
}

fn columns(stmt: &ast::Stmt, at: &mut At<'_>) {
    let Some((table, actions)) = altered_table(stmt) else {
        return;
    };
    for action in actions {
        if let ast::AlterTableAction::DropColumn(drop) = action {
            let column = drop
                .column_name_ref()
                .map(|c| name(c.syntax()))
                .unwrap_or_default();
            let message = format!(
                "dropping column {table}.{column} deletes its data; running code that still selects it fails"
            );
            at.report(DROP_COLUMN, &format!("{table}.{column}"), message);
        }
    }
}

/// `ALTER TYPE ... DROP ATTRIBUTE`: a column of a composite type.
fn attributes(t: &ast::AlterType, at: &mut At<'_>) {
    let (ty, actions) = attribute_actions(t);
    for action in actions {
        if let ast::AlterTypeAttributeAction::DropAttribute(_) = action {
            let message =
                format!("dropping an attribute of type {ty} deletes its data in every value");
            at.report(DROP_COLUMN, &ty, message);
        }
    }
}
