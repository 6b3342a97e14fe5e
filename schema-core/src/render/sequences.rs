//! Sequences in SQL: `CREATE SEQUENCE` with the declared options, `ALTER SEQUENCE` with the
//! options whose effective value changes, and the refusal of a dialect without sequences.

use super::{Dialect, RenderError};
use crate::def::SequenceDef;
use crate::diff::QualifiedName;
use crate::model::{Schema, Sequence, SequenceOptions};
use crate::resolve::ResolveError;

/// `CREATE SEQUENCE "public"."order_numbers" INCREMENT BY 1 START WITH 1000;`: only the options
/// declared, in PostgreSQL's order; the rest are the database's defaults.
pub fn create<D: Dialect + ?Sized>(d: &D, sequence: &Sequence) -> Result<Vec<String>, RenderError> {
    super::standard::check_name(d, &sequence.name)?;
    let o = &sequence.options;
    let mut sql = format!(
        "CREATE SEQUENCE {}",
        d.qualified(&QualifiedName::new(&sequence.schema, &sequence.name))
    );
    let parts = [
        o.increment.map(|v| format!(" INCREMENT BY {v}")),
        o.min.map(|v| format!(" MINVALUE {v}")),
        o.max.map(|v| format!(" MAXVALUE {v}")),
        o.start.map(|v| format!(" START WITH {v}")),
        o.cache.map(|v| format!(" CACHE {v}")),
        o.cycle.then(|| " CYCLE".to_string()),
    ];
    sql.extend(parts.into_iter().flatten());
    sql.push(';');
    Ok(vec![sql])
}

/// `ALTER SEQUENCE "public"."order_numbers" START WITH 2000 NO MAXVALUE;`: each option whose
/// effective value differs, a bound no longer declared as `NO MINVALUE` / `NO MAXVALUE` (the
/// default for the new direction). `START WITH` changes where a `RESTART` goes, not the next
/// value.
///
/// PostgreSQL refuses bounds that leave out the sequence's current value (`RESTART value (1)
/// cannot be less than MINVALUE (10)`), and only the database knows that value: where the
/// range narrows, the statement is a `DO` block that alters in place while the current value
/// stays inside the new bounds, and otherwise also `RESTART`s at the new start (the first
/// value the new bounds allow, as a new sequence would give).
pub fn alter<D: Dialect + ?Sized>(
    d: &D,
    name: &QualifiedName,
    from: &SequenceOptions,
    to: &SequenceOptions,
) -> Vec<String> {
    let (a, b) = (from.effective(), to.effective());
    let sql = alter_statement(d, name, from, to);
    if b.min <= a.min && b.max >= a.max {
        return vec![sql];
    }
    let qualified = d.qualified(name);
    let restart = format!("{} RESTART;", sql.trim_end_matches(';'));
    vec![format!(
        "DO $$\nBEGIN\n\tIF (SELECT last_value FROM {qualified}) BETWEEN {} AND {} THEN\n\
         \t\t{sql}\n\tELSE\n\t\t{restart}\n\tEND IF;\nEND\n$$;",
        b.min, b.max
    )]
}

fn alter_statement<D: Dialect + ?Sized>(
    d: &D,
    name: &QualifiedName,
    from: &SequenceOptions,
    to: &SequenceOptions,
) -> String {
    let (a, b) = (from.effective(), to.effective());
    let mut sql = format!("ALTER SEQUENCE {}", d.qualified(name));
    let bound = |keyword: &str, declared: Option<i64>| match declared {
        Some(v) => format!(" {keyword} {v}"),
        None => format!(" NO {keyword}"),
    };
    if a.increment != b.increment {
        sql.push_str(&format!(" INCREMENT BY {}", b.increment));
    }
    if a.min != b.min {
        sql.push_str(&bound("MINVALUE", to.min));
    }
    if a.max != b.max {
        sql.push_str(&bound("MAXVALUE", to.max));
    }
    if a.start != b.start {
        sql.push_str(&format!(" START WITH {}", b.start));
    }
    if a.cache != b.cache {
        sql.push_str(&format!(" CACHE {}", b.cache));
    }
    if a.cycle != b.cycle {
        sql.push_str(if b.cycle { " CYCLE" } else { " NO CYCLE" });
    }
    sql.push(';');
    sql
}

/// What a dialect without sequences says for each change of one.
pub fn unsupported<D: Dialect + ?Sized>(d: &D, name: &QualifiedName) -> RenderError {
    RenderError::Unsupported {
        dialect: d.name(),
        what: format!("create or alter sequence {name}"),
        hint: "use an identity column instead".to_string(),
    }
}

/// `schema` with the source's sequences, or an error for each `#[derive(Sequence)]` struct
/// when the dialect has none.
pub fn adapt<D: Dialect + ?Sized>(
    d: &D,
    schema: Schema,
    defs: &[SequenceDef],
) -> Result<Schema, Vec<ResolveError>> {
    if d.supports_sequences() || defs.is_empty() {
        return Ok(schema);
    }
    Err(defs
        .iter()
        .map(|def| ResolveError {
            rust_name: def.rust_name.clone(),
            field: None,
            message: format!(
                "#[derive(Sequence)] with #[sequence(name = \"{}\")]: {} has no sequences; \
                 remove the struct from the schema files and number rows with an identity \
                 column instead (#[column(identity)])",
                def.name,
                d.name()
            ),
        })
        .collect())
}
