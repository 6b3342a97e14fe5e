//! Resolution: turns the Rust-level definitions of every struct and enum into the SQL-level
//! [`Schema`], resolving enum types, foreign-key targets and derived names.
//!
//! The derive macros' run-time descriptions and the CLI's scanner both end here, so both give
//! one schema for one source.

use crate::def::{DefaultDef, EnumDef, FieldDef, FieldType, IndexDef, TableDef};
use crate::model::{
    Check, Column, ColumnType, Enum, ForeignKey, Index, IndexKey, KeyTarget, PrimaryKey, Schema,
    Table, Unique, DEFAULT_SCHEMA,
};
use crate::naming;

mod views;
use std::collections::{BTreeMap, BTreeSet};
pub use views::add_views;

mod foreign_keys;
mod sequences;

pub use sequences::add_sequences;

/// A problem that only shows once all definitions are seen together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rust_name}: {message}")]
pub struct ResolveError {
    /// The struct or enum the problem is in.
    pub rust_name: String,
    /// The field, when the problem is in one.
    pub field: Option<String>,
    pub message: String,
}

/// Resolves definitions into a schema, reporting every problem at once.
pub fn resolve(tables: &[TableDef], enums: &[EnumDef]) -> Result<Schema, Vec<ResolveError>> {
    let mut errors = Vec::new();
    let enum_by_rust = index_by_rust(enums.iter().map(|e| (&e.rust_name, e)), "enum", &mut errors);
    let table_by_rust = index_by_rust(
        tables.iter().map(|t| (&t.rust_name, t)),
        "struct",
        &mut errors,
    );

    let mut schema = Schema::default();
    for def in enums {
        let e = Enum {
            schema: def.schema.clone(),
            name: def.name.clone(),
            values: def.values.clone(),
            renamed_from: def.renamed_from.clone(),
        };
        if schema.enums.insert(e.key(), e).is_some() {
            errors.push(err(&def.rust_name, None, format!(
                "enum type {} is declared twice; give one of them another #[db_enum(name = \"...\")]",
                written(&def.schema, &def.name)
            )));
        }
    }
    for def in tables {
        let ctx = Ctx {
            def,
            enums: &enum_by_rust,
            tables: &table_by_rust,
        };
        let table = ctx.table(&mut errors);
        if schema.tables.insert(table.key(), table).is_some() {
            errors.push(err(
                &def.rust_name,
                None,
                format!(
                    "table {} is declared twice; give one of them another #[table(name = \"...\")]",
                    written(&def.schema, &def.name)
                ),
            ));
        }
    }
    check_relation_names(&schema, &mut errors);
    let namespaces: BTreeSet<&String> = schema
        .tables
        .values()
        .map(|t| &t.schema)
        .chain(schema.enums.values().map(|e| &e.schema))
        .filter(|s| s.as_str() != DEFAULT_SCHEMA)
        .collect();
    schema.schemas = namespaces.into_iter().cloned().collect();
    if errors.is_empty() {
        Ok(schema)
    } else {
        Err(errors)
    }
}

fn err(rust_name: &str, field: Option<&str>, message: String) -> ResolveError {
    ResolveError {
        rust_name: rust_name.into(),
        field: field.map(String::from),
        message,
    }
}

fn index_by_rust<'a, T>(
    items: impl Iterator<Item = (&'a String, &'a T)>,
    kind: &str,
    errors: &mut Vec<ResolveError>,
) -> BTreeMap<&'a str, &'a T> {
    let mut map = BTreeMap::new();
    for (name, item) in items {
        if map.insert(name.as_str(), item).is_some() {
            errors.push(err(name, None, format!(
                "two {kind}s are named `{name}` in the schema files; rename one, since references and column types name them by their last path segment"
            )));
        }
    }
    map
}

struct Ctx<'a> {
    def: &'a TableDef,
    enums: &'a BTreeMap<&'a str, &'a EnumDef>,
    tables: &'a BTreeMap<&'a str, &'a TableDef>,
}

impl Ctx<'_> {
    fn table(&self, errors: &mut Vec<ResolveError>) -> Table {
        let def = self.def;
        let t = def.name.as_str();
        let pk_cols = self.columns_of(&def.primary_key, errors);
        let mut columns = Vec::new();
        let mut uniques = Vec::new();
        let mut indexes = Vec::new();
        let mut foreign_keys = Vec::new();
        for f in &def.fields {
            let in_pk = def.primary_key.contains(&f.field);
            columns.push(self.column(f, in_pk, errors));
            let col = vec![f.name.clone()];
            if f.unique {
                uniques.push(Unique {
                    name: naming::unique(t, &col),
                    columns: col.clone(),
                    nulls_not_distinct: false,
                });
            }
            if f.index {
                indexes.push(plain_index(naming::index(t, &col), col.clone()));
            }
            if let Some(fk) = self.foreign_key(f, errors) {
                foreign_keys.push(fk);
            }
        }
        for u in &def.uniques {
            let cols = self.columns_of(&u.columns, errors);
            let name = u.name.clone().unwrap_or_else(|| naming::unique(t, &cols));
            uniques.push(Unique {
                name,
                columns: cols,
                nulls_not_distinct: u.nulls_not_distinct,
            });
        }
        for i in &def.indexes {
            let keys = self.index_keys(i, errors);
            let cols: Vec<String> = keys.iter().filter_map(key_column).collect();
            let mut index = Index {
                keys: Vec::new(),
                with: i.with.clone(),
                name: i.name.clone().unwrap_or_else(|| naming::index(t, &cols)),
                columns: Vec::new(),
                unique: i.unique,
                predicate: i.predicate.clone(),
                using: i.using.clone(),
                concurrently: i.concurrently,
                nulls_not_distinct: i.nulls_not_distinct,
            };
            index.set_keys(keys);
            indexes.push(index);
        }
        for fk in &def.foreign_keys {
            foreign_keys.extend(self.struct_foreign_key(fk, errors));
        }
        foreign_keys::check_names(&def.rust_name, &foreign_keys, errors);
        let mut unnamed_checks = 0;
        let mut checks = Vec::new();
        for c in &def.checks {
            let name = c.name.clone().unwrap_or_else(|| {
                unnamed_checks += 1;
                naming::check(t, unnamed_checks - 1)
            });
            checks.push(Check {
                name,
                expr: c.expr.clone(),
            });
        }
        self.check_redundant_uniques(&pk_cols, &uniques, errors);
        uniques.sort_by(|a, b| a.name.cmp(&b.name));
        indexes.sort_by(|a, b| a.name.cmp(&b.name));
        foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        checks.sort_by(|a, b| a.name.cmp(&b.name));
        Table {
            schema: def.schema.clone(),
            name: def.name.clone(),
            columns,
            primary_key: (!pk_cols.is_empty()).then(|| PrimaryKey {
                name: def
                    .primary_key_name
                    .clone()
                    .unwrap_or_else(|| naming::primary_key(t)),
                columns: pk_cols,
            }),
            uniques,
            indexes,
            foreign_keys,
            checks,
            rls: def.rls,
            policies: sorted_policies(&def.policies),
            renamed_from: def.renamed_from.clone(),
        }
    }

    /// PostgreSQL silently leaves out a UNIQUE that repeats the primary key or an earlier
    /// UNIQUE in `CREATE TABLE`, so the model would name a constraint the database lacks.
    fn check_redundant_uniques(
        &self,
        pk: &[String],
        uniques: &[Unique],
        errors: &mut Vec<ResolveError>,
    ) {
        for (i, u) in uniques.iter().enumerate() {
            let cols = u.columns.join(", ");
            if !pk.is_empty() && u.columns == pk {
                errors.push(err(&self.def.rust_name, None, format!(
                    "unique constraint `{}` on ({cols}) repeats the primary key, which is already unique; remove it",
                    u.name
                )));
            } else if let Some(first) = uniques[..i].iter().find(|f| f.columns == u.columns) {
                errors.push(err(
                    &self.def.rust_name,
                    None,
                    format!(
                        "unique constraints `{}` and `{}` are both on ({cols}); keep one of them",
                        first.name, u.name
                    ),
                ));
            }
        }
    }

    /// The keys of an index: its `columns` (fields) as plain keys, or its `keys` (SQL), whose
    /// columns must be the struct's and whose expressions need the index named.
    fn index_keys(&self, i: &IndexDef, errors: &mut Vec<ResolveError>) -> Vec<IndexKey> {
        if i.keys.is_empty() {
            let cols = self.columns_of(&i.columns, errors);
            return cols.iter().map(|c| IndexKey::column(c)).collect();
        }
        for key in &i.keys {
            match &key.target {
                KeyTarget::Column(c) if !self.def.fields.iter().any(|f| &f.name == c) => {
                    errors.push(err(&self.def.rust_name, None, format!(
                        "index key `{c}` names no column of table `{}`; keys name columns by their SQL names",
                        self.def.name
                    )));
                }
                KeyTarget::Expression(e) if i.name.is_none() => {
                    errors.push(err(
                        &self.def.rust_name,
                        None,
                        format!("the index on expression `{e}` needs a `name = \"...\"`"),
                    ));
                }
                _ => {}
            }
        }
        i.keys.clone()
    }

    fn columns_of(&self, fields: &[String], errors: &mut Vec<ResolveError>) -> Vec<String> {
        let mut out = Vec::new();
        for field in fields {
            match self.def.fields.iter().find(|f| &f.field == field) {
                Some(f) => out.push(f.name.clone()),
                None => errors.push(err(&self.def.rust_name, Some(field), format!(
                    "no column field `{field}` in `{}`; key and index lists name the struct's fields",
                    self.def.rust_name
                ))),
            }
        }
        out
    }

    fn column(&self, f: &FieldDef, in_pk: bool, errors: &mut Vec<ResolveError>) -> Column {
        let ty = self.column_type(f, errors);
        let default = f.default.as_ref().map(|d| self.default_sql(f, d, errors));
        Column {
            name: f.name.clone(),
            ty,
            nullable: f.nullable && !in_pk,
            default,
            identity: f.identity,
            identity_options: f.identity_options,
            generated: f.generated.clone(),
            renamed_from: f.renamed_from.clone(),
        }
    }

    fn user_enum(&self, f: &FieldDef) -> Option<&EnumDef> {
        match &f.ty {
            FieldType::User { rust, .. } => self.enums.get(rust.as_str()).copied(),
            FieldType::Sql(_) => None,
        }
    }

    fn column_type(&self, f: &FieldDef, errors: &mut Vec<ResolveError>) -> ColumnType {
        match &f.ty {
            FieldType::Sql(ty) => ty.clone(),
            FieldType::User { rust, array } => match self.user_enum(f) {
                Some(e) => {
                    let ty = ColumnType::Enum {
                        schema: e.schema.clone(),
                        name: e.name.clone(),
                    };
                    if *array {
                        ColumnType::Array(Box::new(ty))
                    } else {
                        ty
                    }
                }
                None => {
                    errors.push(err(&self.def.rust_name, Some(&f.field), format!(
                        "field `{}` has type `{rust}`, which has no SQL mapping and is no #[derive(DbEnum)] enum in the schema files; derive DbEnum for it or give the column its SQL type: #[column(sql_type = \"...\")] (for a JSON value: \"jsonb\" on PostgreSQL, \"json\" on MySQL, \"text\" on SQLite)",
                        f.field
                    )));
                    ColumnType::Builtin("text".into())
                }
            },
        }
    }

    fn default_sql(&self, f: &FieldDef, d: &DefaultDef, errors: &mut Vec<ResolveError>) -> String {
        match d {
            DefaultDef::Sql(s) | DefaultDef::Int(s) | DefaultDef::Float(s) => s.clone(),
            DefaultDef::Bool(b) => b.to_string(),
            DefaultDef::Str(s) => {
                if let Some(e) = self.user_enum(f) {
                    if !e.values.contains(s) {
                        errors.push(err(&self.def.rust_name, Some(&f.field), format!(
                            "default \"{s}\" of field `{}` names no value of enum `{}`; its values are: {}",
                            f.field, e.rust_name, e.values.join(", ")
                        )));
                    }
                }
                format!("'{}'", s.replace('\'', "''"))
            }
        }
    }

    fn foreign_key(&self, f: &FieldDef, errors: &mut Vec<ResolveError>) -> Option<ForeignKey> {
        let r = f.references.as_ref()?;
        let Some(target) = self.tables.get(r.table.as_str()) else {
            errors.push(err(&self.def.rust_name, Some(&f.field), format!(
                "field `{}` references `{}::{}`, but no #[derive(Table)] struct `{}` is in the schema files",
                f.field, r.table, r.field, r.table
            )));
            return None;
        };
        let Some(target_field) = target.fields.iter().find(|tf| tf.field == r.field) else {
            errors.push(err(
                &self.def.rust_name,
                Some(&f.field),
                format!(
                    "field `{}` references `{}::{}`, but `{}` has no column field `{}`",
                    f.field, r.table, r.field, r.table, r.field
                ),
            ));
            return None;
        };
        if !is_unique_key(target, &target_field.field) {
            errors.push(err(
                &self.def.rust_name,
                Some(&f.field),
                format!(
                    "field `{}` references `{}::{}`, which is neither the primary key of `{}` nor unique, so the database cannot tell which row a value points at; reference the primary key, or mark the target #[column(unique)]",
                    f.field, r.table, r.field, r.table
                ),
            ));
            return None;
        }
        let columns = vec![f.name.clone()];
        Some(ForeignKey {
            name: naming::foreign_key(&self.def.name, &columns),
            columns,
            ref_schema: target.schema.clone(),
            ref_table: target.name.clone(),
            ref_columns: vec![target_field.name.clone()],
            on_delete: r.on_delete,
            on_update: r.on_update,
        })
    }
}

/// True when `field` alone is the primary key of `table`, or unique by a flag, a
/// `#[unique(..)]` or a unique index without a predicate: what a foreign key may point at.
fn is_unique_key(table: &TableDef, field: &str) -> bool {
    is_unique_set(table, &[field.to_string()])
}

/// True when `fields` (in any order) are the primary key of `table`, a `#[unique(..)]`, a unique
/// index without a predicate, or one field marked unique: what a foreign key may point at.
pub(crate) fn is_unique_set(table: &TableDef, fields: &[String]) -> bool {
    let same = |columns: &[String]| {
        columns.len() == fields.len() && fields.iter().all(|f| columns.contains(f))
    };
    same(&table.primary_key)
        || (fields.len() == 1
            && table
                .fields
                .iter()
                .any(|f| f.field == fields[0] && f.unique))
        || table.uniques.iter().any(|u| same(&u.columns))
        || table
            .indexes
            .iter()
            .any(|i| i.unique && i.predicate.is_none() && same(&i.columns))
}

/// The column of a key, for a derived index name.
fn key_column(key: &IndexKey) -> Option<String> {
    match &key.target {
        KeyTarget::Column(c) => Some(c.clone()),
        KeyTarget::Expression(_) => None,
    }
}

fn plain_index(name: String, columns: Vec<String>) -> Index {
    Index {
        keys: Vec::new(),
        with: Default::default(),
        name,
        columns,
        unique: false,
        predicate: None,
        using: None,
        concurrently: false,
        nulls_not_distinct: false,
    }
}

/// `name`, or `schema.name` when the schema is not the default one: as the user wrote it, and
/// true of every dialect (SQLite and MySQL name no schema).
fn written(schema: &str, name: &str) -> String {
    match schema == DEFAULT_SCHEMA {
        true => name.to_string(),
        false => format!("{schema}.{name}"),
    }
}

/// Indexes and constraints backed by indexes share one namespace with tables in a schema.
fn check_relation_names(schema: &Schema, errors: &mut Vec<ResolveError>) {
    let mut seen: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for t in schema.tables.values() {
        let names = std::iter::once(&t.name)
            .chain(t.primary_key.iter().map(|p| &p.name))
            .chain(t.uniques.iter().map(|u| &u.name))
            .chain(t.indexes.iter().map(|i| &i.name));
        for n in names {
            if let Some(other) = seen.insert((&t.schema, n), &t.name) {
                let in_schema = match t.schema == DEFAULT_SCHEMA {
                    true => String::new(),
                    false => format!(" in schema `{}`", t.schema),
                };
                let message = match other == t.name.as_str() {
                    // Two keys or indexes of one table: the same columns listed twice, say.
                    true => format!(
                        "the name `{n}` is used twice by table `{other}`{in_schema} (two of its keys or indexes, or one and the table); remove the duplicate, or give one of them a `name = \"...\"`"
                    ),
                    false => format!(
                        "the name `{n}` is used twice{in_schema} (tables `{other}` and `{}`); tables, keys and indexes share one namespace, so give one of them a `name = \"...\"`",
                        t.name
                    ),
                };
                errors.push(err(&t.name, None, message));
            }
        }
    }
}

/// The policies sorted by name, as the model keeps them.
fn sorted_policies(policies: &[crate::model::Policy]) -> Vec<crate::model::Policy> {
    let mut policies = policies.to_vec();
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    policies
}
