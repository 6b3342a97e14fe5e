//! The attribute texts of one column or index, and what a column's default draws from: the
//! pieces [`super::table`] puts together.

use super::names::literal;
use schema_core::model::{Column, Index, IndexKey, KeyTarget};

/// The sequence `nextval('name'::regclass)` draws from, by its name's parts, as PostgreSQL's
/// parser (sqlparser's) reads the expression and the name.
pub fn nextval_sequence(default: &str) -> Option<Vec<String>> {
    use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Value};
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;
    let expr = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(default)
        .ok()?
        .parse_expr()
        .ok()?;
    let Expr::Function(f) = expr else { return None };
    if !f.name.to_string().eq_ignore_ascii_case("nextval") {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_slice() else {
        return None;
    };
    let literal = match arg {
        Expr::Cast { expr, .. } => expr.as_ref(),
        other => other,
    };
    let Expr::Value(v) = literal else { return None };
    let Value::SingleQuotedString(name) = &v.value else {
        return None;
    };
    let parts = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(name)
        .ok()?
        .parse_object_name(false)
        .ok()?;
    Some(
        parts
            .0
            .iter()
            .map(|p| p.to_string().trim_matches('"').to_string())
            .collect(),
    )
}

/// `identity(..)`, `generated`, `virtual` and the default of a column.
pub fn column_kind_attrs(column: &Column) -> Vec<String> {
    let mut attrs = Vec::new();
    if column.identity {
        let o = &column.identity_options;
        let mut options = Vec::new();
        if o.always {
            options.push("always".to_string());
        }
        for (key, value) in [
            ("start", o.start),
            ("increment", o.increment),
            ("min", o.min),
            ("max", o.max),
            ("cache", o.cache),
        ] {
            if let Some(v) = value {
                options.push(format!("{key} = {v}"));
            }
        }
        if o.cycle {
            options.push("cycle".into());
        }
        attrs.push(match options.is_empty() {
            true => "identity".to_string(),
            false => format!("identity({})", options.join(", ")),
        });
    }
    if let Some(g) = &column.generated {
        attrs.push(format!("generated = {}", literal(&g.expr)));
        if g.is_virtual {
            attrs.push("virtual".into());
        }
    }
    attrs
}

/// `unique`, `predicate`, `using`, `with` and `nulls_not_distinct` after the keys.
pub fn index_parts(index: &Index, keys: String) -> Vec<String> {
    let mut parts = vec![keys, format!("name = {}", literal(&index.name))];
    if index.unique {
        parts.push("unique".into());
    }
    if let Some(p) = &index.predicate {
        parts.push(format!("predicate = {}", literal(p)));
    }
    if let Some(u) = &index.using {
        parts.push(format!("using = {}", literal(u)));
    }
    if !index.with.is_empty() {
        let with: Vec<String> = index
            .with
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        parts.push(format!("with = {}", literal(&with.join(", "))));
    }
    if index.concurrently {
        parts.push("concurrently".into());
    }
    if index.nulls_not_distinct {
        parts.push("nulls_not_distinct".into());
    }
    parts
}

/// A key as `keys(..)` takes it: a column by its SQL name (quoted unless plain), an
/// expression as the database printed it, then its operator class and order.
pub fn key_text(key: &IndexKey) -> String {
    let mut out = match &key.target {
        KeyTarget::Column(c) => quote_if_needed(c),
        KeyTarget::Expression(e) => e.clone(),
    };
    if let Some(opclass) = &key.opclass {
        out.push_str(&format!(" {opclass}"));
    }
    if key.desc {
        out.push_str(" DESC");
    }
    if let Some(nulls) = key.nulls {
        out.push_str(&format!(" NULLS {}", nulls.sql()));
    }
    out
}

fn quote_if_needed(name: &str) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    match plain {
        true => name.to_string(),
        false => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}
