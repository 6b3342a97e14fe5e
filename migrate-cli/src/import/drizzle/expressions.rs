//! drizzle-kit writes a table's own columns qualified in its checks and index predicates
//! (`length("projects"."name") > 0`); the database stores them unqualified. Each expression is
//! parsed (sqlparser, in the dialect's syntax), its references to the table's own columns lose
//! the table's name, and it is printed back.

use crate::config::Dialect;
use sqlparser::ast::{visit_expressions_mut, Expr};
use sqlparser::dialect::{Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

fn parse(expr: &str, dialect: Dialect) -> Option<Expr> {
    let parser_dialect: Box<dyn SqlDialect> = match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
    };
    Parser::new(parser_dialect.as_ref())
        .try_with_sql(expr)
        .and_then(|mut p| p.parse_expr())
        .ok()
}

/// `expr` without the parentheses around all of it (`(now())` is `now()`), as SQLite and
/// MySQL print a default; unchanged when it does not parse or is not parenthesized.
pub fn unwrapped(expr: &str, dialect: Dialect) -> String {
    match parse(expr, dialect) {
        Some(Expr::Nested(inner)) => inner.to_string(),
        _ => expr.trim().to_string(),
    }
}

/// `expr` with `"table"."column"` written `"column"`; unchanged when it does not parse or
/// names no column of `table` that way.
pub fn unqualified(expr: &str, table: &str, dialect: Dialect) -> String {
    let Some(mut parsed) = parse(expr, dialect) else {
        return expr.to_string();
    };
    let mut changed = false;
    let _ = visit_expressions_mut(&mut parsed, |e| {
        if let Expr::CompoundIdentifier(parts) = e {
            if parts.len() == 2 && parts[0].value == table {
                *e = Expr::Identifier(parts[1].clone());
                changed = true;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    match changed {
        true => parsed.to_string(),
        false => expr.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_own_name_goes_and_everything_else_stays() {
        let pg = |e| unqualified(e, "projects", Dialect::Postgres);
        assert_eq!(
            pg(r#"length("projects"."name") > 0"#),
            r#"length("name") > 0"#
        );
        assert_eq!(pg(r#""other"."name" > 0"#), r#""other"."name" > 0"#);
        assert_eq!(pg("not sql ((("), "not sql (((");
        let my = unqualified(
            "char_length(`projects`.`name`) > 0",
            "projects",
            Dialect::Mysql,
        );
        assert_eq!(my, "char_length(`name`) > 0");
    }

    #[test]
    fn unwrapped_drops_only_parentheses_around_everything() {
        let lite = |e| unwrapped(e, Dialect::Sqlite);
        assert_eq!(lite("(now())"), "now()");
        assert_eq!(lite("(a) + (b)"), "(a) + (b)");
        assert_eq!(lite("(')')"), "')'");
        assert_eq!(lite("'x'"), "'x'");
        assert_eq!(lite("(CURRENT_TIMESTAMP)"), "CURRENT_TIMESTAMP");
    }
}
