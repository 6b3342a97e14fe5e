//! A default that calls a sequence (`nextval('order_numbers')`), found by parsing it: MySQL has
//! no sequences, so such a default fails at `migrate`; the adaptation refuses it in `generate`.

use sqlparser::ast::{visit_expressions, Expr, FunctionArg, FunctionArgExpr, FunctionArguments};
use sqlparser::dialect::{GenericDialect, PostgreSqlDialect};
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// The first argument of the first `nextval(..)` call in default `expr` (`'order_numbers'`, as
/// written), or `nextval()` when it has none; `None` when `expr` calls no `nextval` or does not
/// parse as an expression.
pub(super) fn sequence_call(expr: &str) -> Option<String> {
    let parsed = [
        &PostgreSqlDialect {} as &dyn sqlparser::dialect::Dialect,
        &GenericDialect {},
    ]
    .into_iter()
    .find_map(|d| Parser::new(d).try_with_sql(expr).ok()?.parse_expr().ok())?;
    let found = visit_expressions(&parsed, |e| match e {
        Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("nextval") => {
            ControlFlow::Break(first_argument(&f.args))
        }
        _ => ControlFlow::Continue(()),
    });
    match found {
        ControlFlow::Break(argument) => Some(argument),
        ControlFlow::Continue(()) => None,
    }
}

fn first_argument(args: &FunctionArguments) -> String {
    let FunctionArguments::List(list) = args else {
        return "nextval()".to_string();
    };
    match list.args.first() {
        Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(e))) => match e {
            Expr::Cast { expr, .. } => expr.to_string(),
            e => e.to_string(),
        },
        Some(other) => other.to_string(),
        None => "nextval()".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::sequence_call;

    #[test]
    fn a_nextval_call_is_found_anywhere_in_the_default_and_nothing_else_is() {
        let found = |e: &str| sequence_call(e);
        assert_eq!(
            found("nextval('order_numbers')").as_deref(),
            Some("'order_numbers'")
        );
        assert_eq!(found("NEXTVAL('s'::regclass)").as_deref(), Some("'s'"));
        assert_eq!(
            found("concat('ORD-', nextval('s'))").as_deref(),
            Some("'s'")
        );
        assert_eq!(found("'nextval(''s'')'"), None, "a string is no call");
        assert_eq!(found("next_value(1)"), None);
        assert_eq!(found("CURRENT_TIMESTAMP"), None);
        assert_eq!(found("0"), None);
    }
}
