//! The schema model as Rust sources: what `pull` writes from a live database (and
//! `import drizzle` from a drizzle-kit snapshot). A pure function of a [`Schema`]: a file per
//! table with its `#[derive(Table)]` struct, the `#[derive(DbEnum)]` enums, sequences and
//! views in files of their own, and a `mod.rs` declaring them; what the attribute language
//! cannot say is a comment in the file and an entry of [`Sources::left_out`].
//!
//! Types are chosen by [`probe`]: a Rust type (or `sql_type`) is written only when the
//! scanner and the dialect map it back to the column's own type, so the sources describe
//! the database `generate` compares them with.

mod attrs;
mod enums;
mod names;
mod plan;
mod probe;
mod round_trip;
mod table;
#[cfg(test)]
mod tests;

use crate::config::Dialect;
use names::literal;
use plan::Plan;
use schema_core::model::{Schema, Sequence, View};
use std::path::PathBuf;

pub use attrs::nextval_sequence;
pub use round_trip::declared;

/// Something of the database the sources do not declare, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// What it is, for people: ``trigger `audit` on table `public.orders` ``.
    pub object: String,
    pub why: String,
    /// The key (`schema.name`) of the table whose file says so, if any.
    pub table: Option<String>,
}

/// The files to write (paths relative to the output folder, sorted) and what they leave out.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub files: Vec<(PathBuf, String)>,
    pub left_out: Vec<LeftOut>,
}

/// Why there is nothing to write.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("the database has no tables, enums, sequences or views to pull; create some first, or check that the url names the right database")]
    Empty,
}

/// A view's query as `#[view(sql = "...")]` takes it (one query, no `;`): the query as the
/// database prints it back without the surrounding whitespace and the final `;` PostgreSQL
/// adds; SQLite keeps the whole `CREATE VIEW` text, whose query sqlparser reads (and prints
/// in its own spelling). A snapshot of a pulled database holds it so, for the sources to
/// match it.
pub fn view_sql(sql: &str) -> String {
    use sqlparser::ast::Statement;
    let parsed = sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, sql);
    if let Ok([Statement::CreateView { query, .. }]) = parsed.as_deref() {
        return query.to_string();
    }
    let trimmed = sql.trim();
    trimmed
        .strip_suffix(';')
        .unwrap_or(trimmed)
        .trim_end()
        .to_string()
}

/// The Rust sources that declare `schema` on `dialect`.
pub fn sources(schema: &Schema, dialect: Dialect) -> Result<Sources, PullError> {
    sources_with(schema, dialect, Vec::new())
}

/// [`sources`], with what was found left out elsewhere (triggers, partitions, ...): each is a
/// comment in its table's file, or in `mod.rs`, and is listed with the rest.
pub fn sources_with(
    schema: &Schema,
    dialect: Dialect,
    found: Vec<LeftOut>,
) -> Result<Sources, PullError> {
    let mut schema = schema.clone();
    schema.tables.retain(|_, t| !plan::is_own(t));
    if schema.is_empty() {
        return Err(PullError::Empty);
    }
    let keyless = keyless_tables(&mut schema, dialect);
    let mut plan = plan::plan(&schema, dialect);
    let mut files = Vec::new();
    let mut left_out = Vec::new();
    let mut modules = Vec::new();
    for (key, table) in &schema.tables {
        let notes: Vec<LeftOut> = found
            .iter()
            .filter(|l| l.table.as_deref() == Some(key))
            .cloned()
            .collect();
        let (text, mut lost) = table::table_source(&plan, table, &notes);
        left_out.extend(notes);
        left_out.append(&mut lost);
        let module = plan.tables[key].module.clone();
        files.push((PathBuf::from(format!("{module}.rs")), text));
        modules.push(module);
    }
    if !plan.enums.is_empty() {
        files.push((PathBuf::from("enums.rs"), enums_file(&plan)));
        modules.push("enums".into());
    }
    if !schema.sequences.is_empty() {
        files.push((
            PathBuf::from("sequences.rs"),
            sequences_file(&schema, &plan),
        ));
        modules.push("sequences".into());
    }
    if !schema.views.is_empty() {
        let (text, mut lost) = views_file(&schema, &mut plan);
        files.push((PathBuf::from("views.rs"), text));
        left_out.append(&mut lost);
        modules.push("views".into());
    }
    let elsewhere: Vec<LeftOut> = found
        .into_iter()
        .filter(|l| {
            !l.table
                .as_ref()
                .is_some_and(|t| schema.tables.contains_key(t))
        })
        .collect();
    let mut elsewhere = elsewhere;
    elsewhere.extend(keyless);
    for (object, why) in round_trip::differences(&files, &schema, dialect) {
        elsewhere.push(LeftOut {
            object,
            why,
            table: None,
        });
    }
    files.push((PathBuf::from("mod.rs"), mod_file(&modules, &elsewhere)));
    left_out.extend(elsewhere);
    files.sort();
    Ok(Sources { files, left_out })
}

/// Takes the tables without a primary key out of `schema`: `#[derive(Table)]` needs one, and
/// the sources must compile. Each is left out, said in `mod.rs`.
fn keyless_tables(schema: &mut Schema, dialect: Dialect) -> Vec<LeftOut> {
    let mut out = Vec::new();
    schema.tables.retain(|_, t| {
        if t.primary_key.is_some() {
            return true;
        }
        let name = match dialect {
            Dialect::Postgres => format!("{}.{}", t.schema, t.name),
            _ => t.name.clone(),
        };
        out.push(LeftOut {
            object: format!("table `{name}`"),
            why: "it has no primary key, which #[derive(Table)] needs; add one to the table and pull again, or list it in ignore_tables".into(),
            table: None,
        });
        false
    });
    out
}

fn mod_file(modules: &[String], left_out: &[LeftOut]) -> String {
    let mut out = "//! The schema, written by migrate-cli.\n\n".to_string();
    for l in left_out {
        out.push_str(&format!("// left out: {}: {}\n", l.object, l.why));
    }
    if !left_out.is_empty() {
        out.push('\n');
    }
    let mut sorted = modules.to_vec();
    sorted.sort();
    for m in sorted {
        out.push_str(&format!("pub mod {m};\n"));
    }
    out
}

fn enums_file(plan: &Plan) -> String {
    let mut out =
        "//! The enums, written by migrate-cli.\n\nuse schema_macros::DbEnum;\n".to_string();
    let mut sorted: Vec<_> = plan.enums.iter().collect();
    sorted.sort_by(|a, b| a.rust.cmp(&b.rust));
    for e in sorted {
        out.push('\n');
        out.push_str(&enums::enum_source(e));
    }
    out
}

fn sequences_file(schema: &Schema, plan: &Plan) -> String {
    let mut out =
        "//! The sequences, written by migrate-cli.\n\nuse schema_macros::Sequence;\n".to_string();
    for (key, s) in &schema.sequences {
        out.push('\n');
        out.push_str(&sequence_source(s, &plan.sequences[key]));
    }
    out
}

/// `#[derive(Sequence)]` with the options that differ from the defaults.
fn sequence_source(s: &Sequence, rust: &str) -> String {
    let mut parts = vec![format!("name = {}", literal(&s.name))];
    if s.schema != "public" {
        parts.push(format!("schema = {}", literal(&s.schema)));
    }
    let settings = s.options.effective();
    let increment = (settings.increment != 1).then_some(settings.increment);
    let defaults = schema_core::model::SequenceOptions {
        increment,
        ..Default::default()
    }
    .effective();
    let bounds = schema_core::model::SequenceOptions {
        increment,
        min: (settings.min != defaults.min).then_some(settings.min),
        max: (settings.max != defaults.max).then_some(settings.max),
        ..Default::default()
    };
    let with_bounds = bounds.effective();
    for (key, value) in [
        (
            "start",
            (settings.start != with_bounds.start).then_some(settings.start),
        ),
        ("increment", increment),
        ("min", bounds.min),
        ("max", bounds.max),
        ("cache", (settings.cache != 1).then_some(settings.cache)),
    ] {
        if let Some(v) = value {
            parts.push(format!("{key} = {v}"));
        }
    }
    if settings.cycle {
        parts.push("cycle".into());
    }
    format!(
        "#[derive(Sequence)]\n#[sequence({})]\npub struct {rust};\n",
        parts.join(", ")
    )
}

fn views_file(schema: &Schema, plan: &mut Plan) -> (String, Vec<LeftOut>) {
    let mut out =
        "//! The views, written by migrate-cli.\n\nuse schema_macros::View;\n".to_string();
    let mut left_out = Vec::new();
    let enum_names: std::collections::BTreeMap<String, String> = schema
        .enums
        .keys()
        .filter_map(|k| {
            let e = &schema.enums[k];
            plan.enums
                .iter()
                .find(|p| p.name == e.name && p.schema == e.schema)
                .map(|p| (k.clone(), p.rust.clone()))
        })
        .collect();
    let mut uses = std::collections::BTreeSet::new();
    let mut body = String::new();
    for (key, view) in &schema.views {
        match view_source(view, &plan.views[key].clone(), &enum_names, plan, &mut uses) {
            Ok(text) => {
                body.push('\n');
                body.push_str(&text);
            }
            Err(why) => {
                let object = format!("view `{}.{}`", view.schema, view.name);
                body.push_str(&format!("\n// left out: {object}: {why}\n"));
                left_out.push(LeftOut {
                    object,
                    why,
                    table: None,
                });
            }
        }
    }
    for u in uses {
        out.push_str(&format!("use super::enums::{u};\n"));
    }
    out.push_str(&body);
    (out, left_out)
}

fn view_source(
    view: &View,
    rust: &str,
    enum_names: &std::collections::BTreeMap<String, String>,
    plan: &mut Plan,
    uses: &mut std::collections::BTreeSet<String>,
) -> Result<String, String> {
    let mut parts = vec![format!("name = {}", literal(&view.name))];
    if view.schema != "public" {
        parts.push(format!("schema = {}", literal(&view.schema)));
    }
    if view.materialized {
        parts.push("materialized".into());
    }
    parts.push(format!("sql = {}", literal(&view_sql(&view.sql))));
    let mut fields = String::new();
    let mut taken = std::collections::BTreeSet::new();
    for c in &view.columns {
        // SQLite and MySQL do not say a view column's type: a `String` stands in for it.
        let unknown = c.ty == schema_core::model::ColumnType::Builtin(String::new());
        let ty = match unknown {
            true => probe::RustType {
                rust: "String".into(),
                sql_type: None,
            },
            false => plan::column_type(&c.ty, enum_names, &mut plan.probe)
                .map_err(|why| format!("its column `{}`: {why}", c.name))?,
        };
        if unknown {
            fields.push_str("    // the database does not say this column's type\n");
        }
        if enum_names
            .values()
            .any(|e| *e == ty.rust || format!("Vec<{e}>") == ty.rust)
        {
            uses.insert(
                ty.rust
                    .trim_start_matches("Vec<")
                    .trim_end_matches('>')
                    .to_string(),
            );
        }
        let field = names::unique(names::snake(&c.name), &mut taken);
        let mut attrs = Vec::new();
        if field != c.name {
            attrs.push(format!("name = {}", literal(&c.name)));
        }
        if let Some(t) = &ty.sql_type {
            attrs.push(format!("sql_type = {}", literal(t)));
        }
        if !attrs.is_empty() {
            fields.push_str(&format!("    #[column({})]\n", attrs.join(", ")));
        }
        fields.push_str(&format!("    pub {field}: {},\n", ty.rust));
    }
    Ok(format!(
        "#[derive(View)]\n#[view({})]\npub struct {rust} {{\n{fields}}}\n",
        parts.join(", ")
    ))
}
