//! The schema model as MySQL stores it (the contract in [`super`]'s module doc): one schema,
//! MySQL type names, enums as column types, the primary key named `PRIMARY`, uniques as
//! unique indexes, an explicit index for each foreign key that has none, indexes sorted by
//! name. What MySQL cannot hold is an error naming the struct and field.

use super::defaults::canonical_default;
use super::limits;
use super::types::{from_postgres, is_integer, is_text_class, normalize_type};
use crate::def::{FieldDef, TableDef};
use crate::model::{ColumnType, Enum, FkAction, Index, KeyTarget, Schema, Table, DEFAULT_SCHEMA};
use crate::resolve::ResolveError;
use std::collections::BTreeMap;

/// The name MySQL gives every primary key.
pub const PRIMARY_KEY_NAME: &str = "PRIMARY";

/// The MySQL model of `schema`; `tables` are the definitions it was resolved from (for the
/// struct and field names in errors).
pub fn adapt(schema: Schema, tables: &[TableDef]) -> Result<Schema, Vec<ResolveError>> {
    let by_key: BTreeMap<String, &TableDef> = tables
        .iter()
        .map(|d| (Schema::key(&d.schema, &d.name), d))
        .collect();
    let mut errors = crate::render::column_kinds::refused_columns(&schema, tables, |t, c| {
        crate::render::column_kinds::no_identity_options(
            "MySQL",
            "its identity is AUTO_INCREMENT, whose counter is the table's next value rather than a declared start, and always lets an insert give the value",
            t,
            c,
        )
    });
    let mut out = Schema {
        views: schema.views.clone(),
        ..Schema::default()
    };
    for (key, table) in schema.tables {
        let def = Def {
            def: by_key.get(&key).copied(),
            table: table.name.clone(),
        };
        let t = adapt_table(table, &def, &schema.enums, &mut errors);
        limits::check_key_lengths(&t, &def, &mut errors);
        out.tables.insert(t.key(), t);
    }
    // Foreign keys compare the adapted types of both tables.
    for (key, table) in &out.tables {
        let def = Def {
            def: by_key.get(key).copied(),
            table: table.name.clone(),
        };
        limits::check_foreign_key_types(table, &out, &def, &mut errors);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A table's definition (when known) and its SQL name, for errors.
pub(super) struct Def<'a> {
    def: Option<&'a TableDef>,
    table: String,
}

impl Def<'_> {
    /// The field of `column`, when the definition is known.
    fn field(&self, column: &str) -> Option<&FieldDef> {
        self.def?.fields.iter().find(|f| f.name == column)
    }

    /// The `sql_type` written on the field of `column`, if any.
    fn sql_type(&self, column: &str) -> Option<&str> {
        self.field(column)?.sql_type.as_deref()
    }

    /// An error on the struct, or on the field of `column` when given.
    pub(super) fn error(&self, column: Option<&str>, message: String) -> ResolveError {
        let field = column.map(|c| {
            self.field(c)
                .map_or_else(|| c.to_string(), |f| f.field.clone())
        });
        ResolveError {
            rust_name: self
                .def
                .map_or_else(|| self.table.clone(), |d| d.rust_name.clone()),
            field,
            message,
        }
    }
}

fn adapt_table(
    mut table: Table,
    def: &Def<'_>,
    enums: &BTreeMap<String, Enum>,
    errors: &mut Vec<ResolveError>,
) -> Table {
    if table.schema != DEFAULT_SCHEMA {
        errors.push(def.error(None, format!(
            "table `{}` is in schema `{}`, but a MySQL database is one schema; drop `schema = \"{}\"` from #[table(..)] and use one database per schema",
            table.name, table.schema, table.schema
        )));
        table.schema = DEFAULT_SCHEMA.to_string();
    }
    errors.extend(super::super::refuse_nulls_not_distinct(
        &super::Mysql,
        &table,
        def.def,
    ));
    errors.extend(super::super::policies::refuse(
        &super::Mysql,
        &table,
        def.def,
    ));
    adapt_columns(&mut table, def, enums, errors);
    if let Some(pk) = &mut table.primary_key {
        pk.name = PRIMARY_KEY_NAME.to_string();
    }
    for unique in std::mem::take(&mut table.uniques) {
        table.indexes.push(Index {
            keys: Vec::new(),
            with: Default::default(),
            name: unique.name,
            columns: unique.columns,
            unique: true,
            predicate: None,
            using: None,
            concurrently: false,
            nulls_not_distinct: false,
        });
    }
    adapt_indexes(&mut table, def, errors);
    adapt_foreign_keys(&mut table, def, errors);
    check_checks(&table, def, errors);
    table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    table
}

fn adapt_columns(
    table: &mut Table,
    def: &Def<'_>,
    enums: &BTreeMap<String, Enum>,
    errors: &mut Vec<ResolveError>,
) {
    let first_key = table
        .primary_key
        .as_ref()
        .and_then(|pk| pk.columns.first().cloned());
    for column in &mut table.columns {
        // A plain `String` is `varchar(255)`, but a written `sql_type = "text"` means MySQL's
        // `text` (both are `text` in the resolved schema), and a written `timestamp` MySQL's
        // `timestamp` (PostgreSQL's is `datetime` here). Other PostgreSQL names map below,
        // and MySQL's own names pass through.
        let own = def.sql_type(&column.name).map(normalize_type).filter(|w| {
            w == "text" || w == "timestamp" || w.starts_with("timestamp(") && !w.contains(' ')
        });
        let ty = match &column.ty {
            ColumnType::Builtin(_) if own.is_some() => own.clone().unwrap_or_default(),
            ColumnType::Builtin(name) => from_postgres(name).unwrap_or_else(|lacking| {
                errors.push(def.error(Some(&column.name), format!(
                    "column `{}.{}` has type `{lacking}`, which MySQL does not have; give another type: #[column(sql_type = \"varchar(64)\")]",
                    table.name, column.name
                )));
                name.clone()
            }),
            ColumnType::Enum { schema, name } => {
                let values = enums
                    .get(&Schema::key(schema, name))
                    .map(|e| e.values.as_slice())
                    .unwrap_or_default();
                enum_type(values)
            }
            ColumnType::Array(_) => {
                errors.push(def.error(Some(&column.name), format!(
                    "column `{}.{}` is an array, which MySQL does not have; store it as JSON: #[column(sql_type = \"json\")] on a `sqlx::types::Json<Vec<_>>` field, or use a table of its own",
                    table.name, column.name
                )));
                "json".to_string()
            }
        };
        if column.identity {
            let what = format!("column `{}.{}` is an identity", table.name, column.name);
            if !is_integer(&ty) {
                errors.push(def.error(Some(&column.name), format!(
                    "{what} of type `{ty}`, but MySQL numbers only integer columns (AUTO_INCREMENT); make it an integer or drop `identity`"
                )));
            } else if first_key.as_deref() != Some(column.name.as_str()) {
                errors.push(def.error(Some(&column.name), format!(
                    "{what} but not the (first column of the) primary key; MySQL's AUTO_INCREMENT column must lead a key: make it the primary key or drop `identity`"
                )));
            } else if column.default.is_some() {
                errors.push(def.error(
                    Some(&column.name),
                    format!("{what} with a default, which MySQL does not allow; drop the default"),
                ));
            }
        }
        if let Some(sequence) = column
            .default
            .as_deref()
            .and_then(super::nextval::sequence_call)
        {
            errors.push(def.error(Some(&column.name), format!(
                "column `{}.{}` has a default that calls nextval({sequence}), but MySQL has no sequences; number the rows with #[column(identity)] (AUTO_INCREMENT) instead, or drop the default",
                table.name, column.name
            )));
        }
        // MariaDB refuses NOT NULL on a generated column (MySQL takes it): the model holds
        // what both accept, and a generated column is NULL where its expression is.
        if column.generated.is_some() {
            column.nullable = true;
        }
        // `DEFAULT NULL` is no default: MySQL reports both alike.
        column.default = column
            .default
            .as_deref()
            .map(|d| canonical_default(&escape_backslashes(d), &ty))
            .filter(|d| d != "NULL");
        column.ty = ColumnType::Builtin(ty);
    }
}

/// A source default (standard SQL, where a backslash is itself) as MySQL reads it, where a
/// backslash starts an escape: backslashes inside string literals are doubled, as MySQL also
/// prints them back (`'C:\\temp'`).
fn escape_backslashes(default: &str) -> String {
    let mut out = String::with_capacity(default.len());
    let mut in_string = false;
    for c in default.chars() {
        if c == '\'' {
            in_string = !in_string;
        } else if c == '\\' && in_string {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `enum('open','closed')`: the values as string literals in declared order.
fn enum_type(values: &[String]) -> String {
    let values: Vec<String> = values
        .iter()
        .map(|v| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "''")))
        .collect();
    format!("enum({})", values.join(","))
}

/// The type of `column` in `table` after adapt, for the key checks.
pub(super) fn column_type<'a>(table: &'a Table, column: &str) -> Option<&'a str> {
    match &table.column(column)?.ty {
        ColumnType::Builtin(ty) => Some(ty),
        _ => None,
    }
}

fn adapt_indexes(table: &mut Table, def: &Def<'_>, errors: &mut Vec<ResolveError>) {
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(pk) = &table.primary_key {
        keys.push(("the primary key".to_string(), pk.columns.clone()));
    }
    for index in &mut table.indexes {
        index.concurrently = false;
        if index.predicate.take().is_some() {
            errors.push(def.error(None, format!(
                "index `{}` on table `{}` is partial (`predicate`), which MySQL does not have; drop `predicate` (or index a generated column in a --custom migration)",
                index.name, table.name
            )));
        }
        if let Some(method) = index.using.take() {
            let method = method.to_lowercase();
            if matches!(method.as_str(), "btree" | "hash") {
                index.using = Some(method);
            } else {
                errors.push(def.error(None, format!(
                    "index `{}` on table `{}` uses `{method}`, but MySQL builds only btree (and hash) indexes; drop `using = \"{method}\"`",
                    index.name, table.name
                )));
            }
        }
        index_key_problems(index, &table.name, def, errors);
        let columns = index.keys().into_iter().filter_map(|k| match k.target {
            KeyTarget::Column(c) => Some(c),
            KeyTarget::Expression(_) => None,
        });
        keys.push((format!("index `{}`", index.name), columns.collect()));
    }
    for (what, columns) in keys {
        for column in columns {
            let Some(ty) = column_type(table, &column) else {
                continue;
            };
            if is_text_class(ty) {
                errors.push(def.error(Some(&column), format!(
                    "{what} of table `{}` covers column `{column}` of type `{ty}`, which MySQL cannot index whole; give it a length: #[column(sql_type = \"varchar(255)\")]",
                    table.name
                )));
            }
        }
    }
}

/// What of an index's keys and storage parameters MySQL lacks (it has `ASC`/`DESC`): an
/// expression key (MariaDB, which the tests run on, has no functional key parts), an operator
/// class, `NULLS FIRST`/`LAST`, storage parameters. The index is left without them.
fn index_key_problems(
    index: &mut Index,
    table: &str,
    def: &Def<'_>,
    errors: &mut Vec<ResolveError>,
) {
    let name = index.name.clone();
    let mut say = |problem: String| {
        errors.push(def.error(None, format!("index `{name}` on table `{table}` {problem}")));
    };
    let mut keys = Vec::new();
    for mut key in std::mem::take(&mut index.keys) {
        if let KeyTarget::Expression(e) = &key.target {
            say(format!(
                "has the expression key `{e}`, which MariaDB cannot index (MySQL 8.0.13 and later can, MariaDB not); index a generated column in a --custom migration, or drop the key from #[index(keys(..))]"
            ));
            continue;
        }
        if let Some(opclass) = key.opclass.take() {
            say(format!(
                "gives a key the operator class `{opclass}`, which MySQL does not have; drop `{opclass}` from #[index(keys(..))]"
            ));
        }
        if let Some(nulls) = key.nulls.take() {
            let n = nulls.sql();
            say(format!(
                "orders a key NULLS {n}, which MySQL cannot (NULLs sort first ascending and last descending); drop `NULLS {n}` from #[index(keys(..))]"
            ));
        }
        keys.push(key);
    }
    if !index.with.is_empty() {
        say("has storage parameters, which MySQL does not have; drop `with = \"...\"` from #[index(..)]".to_string());
        index.with.clear();
    }
    if !keys.is_empty() {
        index.set_keys(keys);
    }
}

/// Foreign keys point into the one schema; `RESTRICT` is `NO ACTION` (InnoDB has one behavior
/// for both, and reports either); `SET DEFAULT` is an error (InnoDB rejects it); a key whose
/// columns lead no index or primary key gets an index of its own, named like it.
fn adapt_foreign_keys(table: &mut Table, def: &Def<'_>, errors: &mut Vec<ResolveError>) {
    let columns: Vec<(String, bool, String)> = table
        .columns
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.nullable,
                column_type(table, &c.name).unwrap_or_default().to_string(),
            )
        })
        .collect();
    for fk in &mut table.foreign_keys {
        fk.ref_schema = DEFAULT_SCHEMA.to_string();
        for action in [&mut fk.on_delete, &mut fk.on_update] {
            if *action == FkAction::Restrict {
                *action = FkAction::NoAction;
            }
        }
        if fk.on_delete == FkAction::SetDefault || fk.on_update == FkAction::SetDefault {
            errors.push(def.error(fk.columns.first().map(String::as_str), format!(
                "foreign key `{}` of table `{}` has the action `set default`, which InnoDB rejects; use \"set null\", \"cascade\" or \"restrict\"",
                fk.name, table.name
            )));
        }
        let self_update = fk.ref_table == table.name
            && matches!(fk.on_update, FkAction::Cascade | FkAction::SetNull)
            && fk.columns.iter().any(|c| fk.ref_columns.contains(c));
        if self_update {
            errors.push(def.error(fk.columns.first().map(String::as_str), format!(
                "foreign key `{}` of table `{}` references its own table with on_update = \"{}\" on columns it also references, which InnoDB refuses (errno 150); use on_update = \"restrict\" or \"no action\"",
                fk.name, table.name, fk.on_update.sql().to_lowercase()
            )));
        }
        let set_null = fk.on_delete == FkAction::SetNull || fk.on_update == FkAction::SetNull;
        let not_null = fk.columns.iter().find(|c| {
            columns
                .iter()
                .any(|(name, nullable, _)| name == *c && !nullable)
        });
        if let (true, Some(column)) = (set_null, not_null) {
            errors.push(def.error(Some(column), format!(
                "foreign key `{}` of table `{}` sets NULL, but column `{column}` is NOT NULL, which MySQL rejects; make the field an Option or use another action",
                fk.name, table.name
            )));
        }
        for column in &fk.columns {
            let ty = columns
                .iter()
                .find(|(name, ..)| name == column)
                .map(|(.., ty)| ty);
            if let Some(ty) = ty.filter(|ty| is_text_class(ty)) {
                errors.push(def.error(Some(column), format!(
                    "foreign key `{}` of table `{}` covers column `{column}` of type `{ty}`, which MySQL cannot index whole; give it a length: #[column(sql_type = \"varchar(255)\")]",
                    fk.name, table.name
                )));
            }
        }
    }
    index_foreign_keys(table);
}

/// Adds the index InnoDB makes for each foreign key that no key leads with, named after the
/// foreign key, as MySQL and MariaDB name it.
pub fn index_foreign_keys(table: &mut Table) {
    let mut added: Vec<Index> = Vec::new();
    for fk in &table.foreign_keys {
        let leads = |columns: &[String]| columns.starts_with(&fk.columns);
        let covered = table
            .primary_key
            .as_ref()
            .is_some_and(|pk| leads(&pk.columns))
            || table.indexes.iter().any(|i| leads(&i.columns))
            || added.iter().any(|i| leads(&i.columns));
        if !covered {
            added.push(Index {
                keys: Vec::new(),
                with: Default::default(),
                name: fk.name.clone(),
                columns: fk.columns.clone(),
                unique: false,
                predicate: None,
                using: None,
                concurrently: false,
                nulls_not_distinct: false,
            });
        }
    }
    table.indexes.extend(added);
}

/// MySQL and MariaDB refuse a check that reads the `AUTO_INCREMENT` column, or a column of a
/// foreign key with a cascading action (`CASCADE`, `SET NULL`).
fn check_checks(table: &Table, def: &Def<'_>, errors: &mut Vec<ResolveError>) {
    let acts = |a: FkAction| matches!(a, FkAction::Cascade | FkAction::SetNull);
    for column in &table.columns {
        let why = if column.identity {
            "the identity column, which MySQL refuses for an AUTO_INCREMENT column; check another column or drop `identity`"
        } else if table.foreign_keys.iter().any(|fk| {
            fk.columns.contains(&column.name) && (acts(fk.on_delete) || acts(fk.on_update))
        }) {
            "a column whose foreign key cascades or sets NULL, which MySQL refuses; check another column or use \"restrict\" or \"no action\""
        } else {
            continue;
        };
        for check in &table.checks {
            if mentions(&check.expr, &column.name) {
                errors.push(def.error(
                    Some(&column.name),
                    format!(
                        "check `{}` of table `{}` reads `{}`, {why}",
                        check.name, table.name, column.name
                    ),
                ));
            }
        }
    }
}

/// True when `expr` names `column` as a whole word (bare or in backticks or quotes).
fn mentions(expr: &str, column: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    expr.match_indices(column).any(|(at, _)| {
        let before = expr[..at].chars().next_back();
        let after = expr[at + column.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}
