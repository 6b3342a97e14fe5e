//! The views of a MySQL/MariaDB database: `information_schema.VIEWS` (the definition as the
//! server rewrote it: MariaDB adds backticks and qualified names) and their column names from
//! `information_schema.COLUMNS`. Types are left empty (compared by name only). A name the
//! server qualified with the current database loses that qualifier ([`portable`]), so the
//! query reads the database it is created in, not the one it was read from.

use super::text;
use schema_core::model::{ColumnType, Schema, View, ViewColumn, DEFAULT_SCHEMA};
use sqlx::MySqlConnection;

/// Adds every view of the current database to `schema`.
pub(super) async fn views(
    conn: &mut MySqlConnection,
    schema: &mut Schema,
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT table_name, view_definition FROM information_schema.views \
         WHERE table_schema = DATABASE() ORDER BY table_name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&mut *conn)
        .await?;
    for row in rows {
        let name = text(&row, 0)?;
        let columns = sqlx::query(
            "SELECT column_name FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|c| {
            Ok(ViewColumn {
                name: text(c, 0)?,
                ty: ColumnType::Builtin(String::new()),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let view = View {
            schema: DEFAULT_SCHEMA.to_string(),
            name,
            columns,
            sql: portable(&text(&row, 1)?, database.as_deref()),
            materialized: false,
            renamed_from: None,
        };
        schema.views.insert(view.key(), view);
    }
    Ok(())
}

/// `sql` (a view's query as the server prints it) without the qualifier `database` on its
/// tables (`` `db`.`posts` ``) and columns (`` `db`.`posts`.`id` ``), printed back by
/// sqlparser; a query it cannot parse is kept as it is.
pub(crate) fn portable(sql: &str, database: Option<&str>) -> String {
    use sqlparser::ast::{visit_expressions_mut, visit_relations_mut, Expr, ObjectNamePart};
    use std::ops::ControlFlow;
    let Some(database) = database else {
        return sql.to_string();
    };
    let dialect = sqlparser::dialect::MySqlDialect {};
    let Ok(mut statements) = sqlparser::parser::Parser::parse_sql(&dialect, sql) else {
        return sql.to_string();
    };
    let [statement] = statements.as_mut_slice() else {
        return sql.to_string();
    };
    let is_database = |part: Option<&ObjectNamePart>| {
        part.and_then(ObjectNamePart::as_ident)
            .is_some_and(|i| i.value == database)
    };
    let _ = visit_relations_mut(statement, |name| {
        if name.0.len() > 1 && is_database(name.0.first()) {
            name.0.remove(0);
        }
        ControlFlow::<()>::Continue(())
    });
    let _ = visit_expressions_mut(statement, |expr| {
        if let Expr::CompoundIdentifier(parts) = expr {
            if parts.len() > 2 && parts[0].value == database {
                parts.remove(0);
            }
        }
        ControlFlow::<()>::Continue(())
    });
    statement.to_string()
}

#[cfg(test)]
mod tests {
    use super::portable;

    #[test]
    fn the_current_database_is_no_qualifier() {
        let sql = "select `db1`.`posts`.`id` AS `id` from `db1`.`posts` join `other`.`t` on `db1`.`posts`.`id` = `other`.`t`.`id` where `db1`.`posts`.`n` > 0";
        assert_eq!(
            portable(sql, Some("db1")),
            "SELECT `posts`.`id` AS `id` FROM `posts` JOIN `other`.`t` ON `posts`.`id` = `other`.`t`.`id` WHERE `posts`.`n` > 0"
        );
        assert_eq!(portable("not sql at all", Some("db1")), "not sql at all");
    }
}
