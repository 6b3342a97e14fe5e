//! Builders for schema values in tests: `table("accounts").col(int("id")).pk(&["id"])`.
//! Derived names follow PostgreSQL's conventions, as the resolver's do.
#![allow(dead_code)]

use schema_core::diff::{diff, hinted_renames, migration_name, Change, Renames};
use schema_core::model::*;
use schema_core::render::{migration_sql, render, Postgres};

pub fn builtin(name: &str) -> ColumnType {
    ColumnType::Builtin(name.to_string())
}

pub fn enum_ty(name: &str) -> ColumnType {
    ColumnType::Enum {
        schema: "public".into(),
        name: name.into(),
    }
}

pub fn array(ty: ColumnType) -> ColumnType {
    ColumnType::Array(Box::new(ty))
}

/// A NOT NULL column.
pub fn col(name: &str, ty: ColumnType) -> Column {
    Column {
        name: name.into(),
        ty,
        nullable: false,
        default: None,
        identity: false,
        identity_options: Default::default(),
        generated: None,
        renamed_from: None,
    }
}

pub fn int(name: &str) -> Column {
    col(name, builtin("integer"))
}

pub fn text(name: &str) -> Column {
    col(name, builtin("text"))
}

pub trait ColumnExt {
    fn null(self) -> Self;
    fn default(self, sql: &str) -> Self;
    fn identity(self) -> Self;
    fn was(self, old: &str) -> Self;
}

impl ColumnExt for Column {
    fn null(mut self) -> Self {
        self.nullable = true;
        self
    }
    fn default(mut self, sql: &str) -> Self {
        self.default = Some(sql.into());
        self
    }
    fn identity(mut self) -> Self {
        self.identity = true;
        self
    }
    fn was(mut self, old: &str) -> Self {
        self.renamed_from = Some(old.into());
        self
    }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

pub struct TableBuilder(pub Table);

pub fn table(name: &str) -> TableBuilder {
    TableBuilder(Table {
        schema: "public".into(),
        name: name.into(),
        columns: vec![],
        primary_key: None,
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        rls: false,
        policies: Vec::new(),
        renamed_from: None,
    })
}

impl TableBuilder {
    pub fn schema(mut self, schema: &str) -> Self {
        self.0.schema = schema.into();
        self
    }
    pub fn was(mut self, old: &str) -> Self {
        self.0.renamed_from = Some(old.into());
        self
    }
    pub fn col(mut self, column: Column) -> Self {
        self.0.columns.push(column);
        self
    }
    /// `id integer` identity primary key named `<table>_pkey`.
    pub fn id(self) -> Self {
        self.col(int("id").identity()).pk(&["id"])
    }
    pub fn pk(mut self, columns: &[&str]) -> Self {
        let name = format!("{}_pkey", self.0.name);
        self.0.primary_key = Some(PrimaryKey {
            name,
            columns: strings(columns),
        });
        self
    }
    pub fn unique(mut self, columns: &[&str]) -> Self {
        let name = format!("{}_{}_key", self.0.name, columns.join("_"));
        self.0.uniques.push(Unique {
            name,
            columns: strings(columns),
            nulls_not_distinct: false,
        });
        self
    }
    pub fn index(mut self, columns: &[&str]) -> Self {
        self.0.indexes.push(Index {
            keys: Vec::new(),
            with: Default::default(),
            name: format!("{}_{}_idx", self.0.name, columns.join("_")),
            columns: strings(columns),
            unique: false,
            predicate: None,
            using: None,
            concurrently: false,
            nulls_not_distinct: false,
        });
        self
    }
    /// Changes the last index.
    pub fn with_index(mut self, edit: impl FnOnce(&mut Index)) -> Self {
        if let Some(index) = self.0.indexes.last_mut() {
            edit(index);
        }
        self
    }
    pub fn fk(mut self, columns: &[&str], target: &str, ref_columns: &[&str]) -> Self {
        let (ref_schema, ref_table) = target.split_once('.').unwrap_or(("public", target));
        self.0.foreign_keys.push(ForeignKey {
            name: format!("{}_{}_fkey", self.0.name, columns.join("_")),
            columns: strings(columns),
            ref_schema: ref_schema.into(),
            ref_table: ref_table.into(),
            ref_columns: strings(ref_columns),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
        });
        self
    }
    /// Changes the last foreign key.
    pub fn on(mut self, on_delete: FkAction, on_update: FkAction) -> Self {
        if let Some(fk) = self.0.foreign_keys.last_mut() {
            fk.on_delete = on_delete;
            fk.on_update = on_update;
        }
        self
    }
    pub fn check(mut self, name: &str, expr: &str) -> Self {
        self.0.checks.push(Check {
            name: name.into(),
            expr: expr.into(),
        });
        self
    }
    pub fn build(self) -> Table {
        self.0
    }
}

pub fn db_enum(name: &str, values: &[&str]) -> Enum {
    Enum {
        schema: "public".into(),
        name: name.into(),
        values: strings(values),
        renamed_from: None,
    }
}

pub fn schema(tables: Vec<TableBuilder>, enums: Vec<Enum>) -> Schema {
    let mut s = Schema::default();
    for t in tables {
        let t = t.build();
        if t.schema != DEFAULT_SCHEMA && !s.schemas.contains(&t.schema) {
            s.schemas.push(t.schema.clone());
        }
        s.tables.insert(t.key(), t);
    }
    for e in enums {
        s.enums.insert(e.key(), e);
    }
    s
}

pub fn tables(tables: Vec<TableBuilder>) -> Schema {
    schema(tables, vec![])
}

/// The summaries as SQL comments, then the migration file for `before -> after` with the
/// hinted renames and `extra` ones.
pub fn check_with(before: &Schema, after: &Schema, extra: &Renames) -> String {
    let mut renames = hinted_renames(before, after);
    renames.tables.extend(extra.tables.iter().cloned());
    renames.columns.extend(extra.columns.iter().cloned());
    renames.enums.extend(extra.enums.iter().cloned());
    renames.objects.extend(extra.objects.iter().cloned());
    let changes = diff(before, after, &renames);
    assert_eq!(
        changes,
        diff(before, after, &renames),
        "diff is not deterministic"
    );
    let statements = render(&Postgres, &changes).expect("renders");
    dump(before, &statements);
    let summary: Vec<String> = changes
        .iter()
        .map(|c| format!("-- {}", c.summary()))
        .collect();
    format!(
        "-- name: {}\n{}\n\n{}",
        migration_name(&changes),
        summary.join("\n"),
        migration_sql(&statements)
    )
}

pub fn check(before: &Schema, after: &Schema) -> String {
    check_with(before, after, &Renames::default())
}

pub fn changes(before: &Schema, after: &Schema) -> Vec<Change> {
    diff(before, after, &hinted_renames(before, after))
}

/// With `SCHEMA_CORE_SQL_DUMP=dir`, writes `create(before)` followed by the migration into
/// `dir/<test name>.sql`, for applying to a real database by hand.
fn dump(before: &Schema, statements: &[String]) {
    let Ok(dir) = std::env::var("SCHEMA_CORE_SQL_DUMP") else {
        return;
    };
    let create = diff(&Schema::default(), before, &Renames::default());
    let mut sql = render(&Postgres, &create).expect("renders").join("\n");
    sql.push_str("\n-- migration\n");
    sql.push_str(&statements.join("\n"));
    let name = std::thread::current()
        .name()
        .unwrap_or("case")
        .replace("::", "__");
    std::fs::write(format!("{dir}/{name}.sql"), sql + "\n").expect("writes the dump");
}
