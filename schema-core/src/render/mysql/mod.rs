//! MySQL and MariaDB (config `dialect = "mysql"`, for MariaDB too): the model as MySQL stores it
//! ([`adapt`]), backtick quoting, `MODIFY COLUMN` for every column change and the statement
//! order MySQL's foreign keys need (see the `script` module).
//!
//! Tested against MariaDB 10.11; the SQL is what MySQL 8.0 also accepts, except where a doc
//! comment says otherwise.
//!
//! # The model (the contract with introspection)
//!
//! [`adapt`] turns the resolved schema into exactly what reading a MySQL database back gives:
//! - One database is one schema. Tables keep the model's default schema name `public` (as on
//!   SQLite) and the SQL never names a schema; `schema = ".."` is an error naming the struct.
//! - Column types are [`ColumnType::Builtin`] MySQL names in [`normalize_type`]'s spelling,
//!   without integer display widths: `smallint`, `int`, `bigint`, `float` (f32), `double`
//!   (f64), `tinyint(1)` (bool), `varchar(255)` (String; `sql_type = "text"` is MySQL's
//!   `text`, up to 64 KiB, and `mediumtext`/`longtext` hold more),
//!   `longblob` (`Vec<u8>`), `char(36)` (uuid; sqlx reads it as `uuid::fmt::Hyphenated`), `datetime(6)` (both timestamps), `date`,
//!   `time(6)`, `decimal(28,10)` (numeric without precision: rust_decimal holds 28 digits), `json` (json and jsonb). A
//!   `sql_type` passes through [`normalize_type`] after the resolver's PostgreSQL spelling,
//!   so `float` there means PostgreSQL's `float` (8 bytes): `double`.
//! - Arrays are an error (hint: `sql_type = "json"`), and so are PostgreSQL-only types.
//! - A `DbEnum` column has the type `enum('open','closed')` (values as string literals in
//!   declared order, no spaces), and `schema.enums` is empty: a changed value list is a type
//!   change of each column.
//! - An identity stays `identity: true` (rendered `AUTO_INCREMENT`); it must be an integer
//!   column that is the primary key or its first column, and have no default.
//! - The primary key is named `PRIMARY`, MySQL's only name for it.
//! - Every unique constraint is a unique [`Index`] of the same name and columns (`uniques`
//!   is empty): MySQL stores them as indexes and cannot tell them apart.
//! - A foreign key whose columns lead no index and not the primary key gets a plain index
//!   named exactly like the key, with its columns: MySQL would create that index silently and
//!   keep it after the key is dropped, so making it explicit keeps snapshots and database in
//!   step.
//! - `indexes` are sorted by name. `concurrently` is false (MySQL builds InnoDB indexes
//!   online anyway); a partial index is an error; `using` is an error unless `btree` or
//!   `hash`, kept lowercase and rendered `USING BTREE`/`USING HASH` (InnoDB builds a btree
//!   for both and `information_schema.statistics` says `BTREE` for all, but
//!   `SHOW CREATE TABLE` keeps the `USING ..` as written, absent when none was).
//! - An index or key on a `text`/`blob`/`json`-class column is an error asking for
//!   `sql_type = "varchar(N)"`.
//! - Defaults have [`canonical_default`]'s text: `0`, `1.50` on `decimal(10,2)`, `1`/`0` for
//!   booleans, `'it''s'`, `CURRENT_TIMESTAMP(6)` on a `datetime(6)` column for `now()`,
//!   other expressions verbatim; `NULL` is no default (MySQL reports both alike). A
//!   backslash in a source string default or enum value is doubled (`'C:\\temp'`): MySQL
//!   reads a single one as an escape, and prints the doubled form back.
//! - A foreign key's `restrict` is `no action`: InnoDB has one behavior for both, and reports
//!   `RESTRICT` for a key created without an action but `NO ACTION` when it is given (or when
//!   the key is added with `foreign_key_checks` off), so introspection maps both to
//!   `no action`.
//! - Checks keep their names (table-prefixed, so unique in the database as MySQL 8 needs) and
//!   expressions. MariaDB refuses a check on an `AUTO_INCREMENT` column.
//! - MariaDB stores `json` as `longtext` with a check `json_valid(`c`)` named after the
//!   column; the model says `json` with no such check, so introspection maps it back, by the
//!   check's clause: the check keeps the column's old name when the column is renamed.
//!
//! # The SQL
//!
//! Tables are created `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4` (foreign keys and checks need
//! InnoDB; utf8mb4 whatever the server's default; the collation is the server's default for
//! utf8mb4). Indexes follow as `CREATE INDEX`, foreign keys as `ALTER TABLE .. ADD CONSTRAINT`
//! after every table, so cycles work.
//!
//! MySQL commits each DDL statement on its own, so a migration file is never atomic: a failure
//! leaves the statements before it applied. [`Script::no_transaction`] stays false (sqlx's
//! MySQL migrator wraps the file in a transaction, which DDL ends), and the statements are
//! ordered so that a failure leaves the fewest surprises: data checks (`UPDATE` of NULLs)
//! before the change that needs them, and consecutive actions on one table in one `ALTER TABLE`,
//! so the table is copied at most once.
//! `migrate` runs a MySQL file statement by statement, split at its `--> statement-breakpoint`
//! lines; the file cannot go to the server whole (as sqlx's own MySQL migrator sends it),
//! since MySQL reads `--` as a comment only before a space, so `-->` is a syntax error there.
//!
//! # MySQL 8.0 and MariaDB
//!
//! The SQL needs MySQL 8.0.19 or MariaDB 10.5.2: `RENAME COLUMN` (MySQL 8.0, MariaDB 10.5.2),
//! `RENAME INDEX` (MySQL 5.7, MariaDB 10.5.2), expression defaults `DEFAULT (uuid())` (MySQL
//! 8.0.13, MariaDB 10.2), enforced checks (MySQL 8.0.16, MariaDB 10.2) and
//! `DROP CONSTRAINT` for a check (MySQL 8.0.19; MySQL 8.0.16 to 8.0.18 only take
//! `DROP CHECK`). Where the two differ:
//! - a literal default on a text, blob or json column must be in parentheses on MySQL 8
//!   (`DEFAULT ('x')`); MariaDB takes both, so it is always written so;
//! - MariaDB reports `json` columns as `longtext` with a `json_valid` check;
//! - `USING HASH` is accepted by both and built as a btree by InnoDB;
//! - a NOT NULL date or time column added without a default gets the zero date on MariaDB
//!   and fails under MySQL 8's default `NO_ZERO_DATE` (lint says so);
//! - MariaDB truncates a default's extra fractional seconds, MySQL rounds them.

mod adapt;
mod defaults;
mod limits;
mod nextval;
mod script;
mod types;

pub use adapt::{adapt, index_foreign_keys, PRIMARY_KEY_NAME};
pub use defaults::canonical_default;
pub use types::{is_text_class, normalize_type};

use super::standard::{self, check_name};
use super::{Dialect, RenderError, Script};
use crate::def::TableDef;
use crate::diff::{Change, QualifiedName};
use crate::model::{Column, ColumnType, Index, KeyTarget, Schema, Table};
use crate::resolve::ResolveError;

/// MySQL 8.0 and MariaDB 10.5 or later (`RENAME COLUMN`, `RENAME INDEX`, checks).
#[derive(Debug, Clone, Copy, Default)]
pub struct Mysql;

/// The table options of every `CREATE TABLE`.
pub const TABLE_OPTIONS: &str = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

impl Mysql {
    fn columns(&self, names: &[String]) -> String {
        names
            .iter()
            .map(|c| self.quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `ALTER TABLE `t` <action>;`
    fn alter(&self, table: &QualifiedName, action: &str) -> String {
        format!("ALTER TABLE {} {action};", self.qualified(table))
    }

    /// `[UNIQUE ]INDEX `name`` and `(`a`, `b`)[ USING BTREE]`: an index before and after
    /// the table in `CREATE INDEX`.
    fn index_parts(&self, index: &Index) -> Result<(String, String), RenderError> {
        check_name(self, &index.name)?;
        if let Some(predicate) = &index.predicate {
            return Err(RenderError::Unsupported {
                dialect: self.name(),
                what: format!("build the partial index {} (WHERE {predicate})", index.name),
                hint: "drop the predicate".to_string(),
            });
        }
        let unique = if index.unique { "UNIQUE " } else { "" };
        let using = index
            .using
            .as_ref()
            .map(|m| format!(" USING {}", m.to_uppercase()))
            .unwrap_or_default();
        Ok((
            format!("{unique}INDEX {}", self.quote(&index.name)),
            format!("({}){using}", self.index_keys(index)?),
        ))
    }

    /// `` `a`, `b` DESC ``: MySQL's keys are columns, ascending or descending (the adaptation
    /// refuses the rest with the struct's name).
    fn index_keys(&self, index: &Index) -> Result<String, RenderError> {
        let mut out = Vec::new();
        for key in index.keys() {
            match (&key.target, &key.opclass, key.nulls) {
                (KeyTarget::Column(c), None, None) => {
                    let desc = if key.desc { " DESC" } else { "" };
                    out.push(format!("{}{desc}", self.quote(c)));
                }
                _ => {
                    return Err(RenderError::Unsupported {
                        dialect: self.name(),
                        what: format!(
                        "build index {} on an expression, an operator class or NULLS FIRST/LAST",
                        index.name
                    ),
                        hint: "index plain columns, ascending or descending".to_string(),
                    })
                }
            }
        }
        Ok(out.join(", "))
    }

    /// `MODIFY COLUMN <definition>`.
    fn modify(&self, table: &QualifiedName, column: &Column) -> Result<String, RenderError> {
        Ok(format!(
            "MODIFY COLUMN {}",
            self.column_definition(table, column)?
        ))
    }

    fn needs_script(&self, change: &Change) -> RenderError {
        RenderError::Unsupported {
            dialect: self.name(),
            what: format!("render `{}` on its own", change.summary()),
            hint: "render the whole change list with Dialect::script, which knows the column's or constraint's new definition".to_string(),
        }
    }
}

impl Dialect for Mysql {
    fn name(&self) -> &'static str {
        "mysql"
    }

    fn adapt(&self, schema: Schema, tables: &[TableDef]) -> Result<Schema, Vec<ResolveError>> {
        adapt::adapt(schema, tables)
    }

    fn script(
        &self,
        changes: &[Change],
        old: &Schema,
        new: &Schema,
    ) -> Result<Script, RenderError> {
        script::script(self, changes, old, new)
    }

    /// No breakpoint lines: MySQL reads `--` as a comment only before a space, so a
    /// `--> statement-breakpoint` line is a syntax error when the file goes to the server whole,
    /// as sqlx's MySQL migrator sends it. Statements end with `;`, a blank line between them.
    ///
    /// ```sql
    /// CREATE TABLE `a` (`id` int NOT NULL);
    ///
    /// CREATE TABLE `b` (`id` int NOT NULL);
    /// ```
    fn statement_breakpoints(&self) -> bool {
        false
    }

    /// Clauses separated by commas; MySQL applies them in one copy of the table at most.
    ///
    /// ```sql
    /// ALTER TABLE `order_items`
    ///     MODIFY COLUMN `price` decimal(12,2) NOT NULL,
    ///     MODIFY COLUMN `quantity` bigint NOT NULL;
    /// ```
    fn combines_alter_actions(&self) -> bool {
        true
    }

    /// Column additions and drops, check and foreign key additions; the changes of a column's
    /// definition need its whole new definition (see [`Dialect::script`]), and constraint drops
    /// and renames have MySQL's own statements. A foreign key that references its own table
    /// stands alone: MariaDB refuses one that shares a statement with a `MODIFY COLUMN` of the
    /// column it references (errno 150).
    fn alter_action(
        &self,
        change: &Change,
    ) -> Option<Result<(QualifiedName, String), RenderError>> {
        match change {
            Change::AddForeignKey { table, key }
                if key.ref_table == table.name && key.ref_schema == table.schema =>
            {
                None
            }
            Change::AddColumn { .. }
            | Change::DropColumn { .. }
            | Change::AddCheck { .. }
            | Change::AddForeignKey { .. } => standard::alter_action(self, change),
            _ => None,
        }
    }

    /// No `CONCURRENTLY`: InnoDB builds a secondary index without blocking writes anyway.
    ///
    /// ```sql
    /// CREATE INDEX `accounts_email_idx` ON `accounts` (`email`);
    /// ```
    fn supports_concurrent_indexes(&self) -> bool {
        false
    }

    /// `AUTO_INCREMENT` on an integer column leading the primary key.
    ///
    /// ```sql
    /// `id` bigint NOT NULL AUTO_INCREMENT
    /// ```
    fn supports_identity(&self) -> bool {
        true
    }

    /// MySQL's identifier limit.
    fn max_identifier_length(&self) -> usize {
        64
    }

    /// A quoted identifier: `` `accounts` ``, with `` ` `` doubled.
    fn quote(&self, ident: &str) -> String {
        format!("`{}`", ident.replace('`', "``"))
    }

    /// A database is one schema: `` `accounts` ``.
    fn qualified(&self, name: &QualifiedName) -> String {
        self.quote(&name.name)
    }

    /// `` RENAME TABLE `a` TO `b`; ``, which renames views too.
    fn rename_view(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
        view: &crate::model::View,
    ) -> Result<Vec<String>, RenderError> {
        let _ = view;
        crate::render::standard::check_name(self, &to.name)?;
        Ok(vec![format!(
            "RENAME TABLE {} TO {};",
            self.qualified(from),
            self.qualified(to)
        )])
    }

    /// `CREATE OR REPLACE VIEW`, whatever the columns become.
    fn replace_view(
        &self,
        from: &crate::model::View,
        to: &crate::model::View,
    ) -> Result<Vec<String>, RenderError> {
        let _ = from;
        super::views::create(self, to, true)
    }

    /// `` `created_at` datetime(6) DEFAULT CURRENT_TIMESTAMP(6) NOT NULL ``,
    /// `` `id` bigint NOT NULL AUTO_INCREMENT ``.
    fn column_definition(
        &self,
        _table: &QualifiedName,
        column: &Column,
    ) -> Result<String, RenderError> {
        check_name(self, &column.name)?;
        let ty = self.column_type(&column.ty);
        let mut sql = format!("{} {ty}", self.quote(&column.name));
        if let Some(generated) = &column.generated {
            sql.push_str(&crate::render::column_kinds::generated_clause(generated));
        }
        if let Some(default) = &column.default {
            sql.push_str(" DEFAULT ");
            sql.push_str(&defaults::default_sql(default, &ty));
        }
        if !column.nullable {
            sql.push_str(" NOT NULL");
        }
        if column.identity {
            sql.push_str(" AUTO_INCREMENT");
        }
        Ok(sql)
    }

    /// A column type; an enum or array left by a model that was not adapted is written as
    /// PostgreSQL would, and MySQL refuses it.
    fn column_type(&self, ty: &ColumnType) -> String {
        match ty {
            ColumnType::Builtin(name) => name.clone(),
            ColumnType::Enum { name, .. } => self.quote(name),
            ColumnType::Array(inner) => format!("{}[]", self.column_type(inner)),
        }
    }

    fn statements(&self, change: &Change) -> Result<Vec<String>, RenderError> {
        script::standalone(self, change)
    }

    /// Columns, `PRIMARY KEY (..)`, unique keys and checks, then the table options.
    fn create_table(&self, table: &Table) -> Result<Vec<String>, RenderError> {
        check_name(self, &table.name)?;
        let name = QualifiedName::new(&table.schema, &table.name);
        let mut lines = Vec::new();
        for column in &table.columns {
            lines.push(self.column_definition(&name, column)?);
        }
        if let Some(key) = &table.primary_key {
            lines.push(format!("PRIMARY KEY ({})", self.columns(&key.columns)));
        }
        for u in &table.uniques {
            check_name(self, &u.name)?;
            lines.push(format!(
                "UNIQUE KEY {} ({})",
                self.quote(&u.name),
                self.columns(&u.columns)
            ));
        }
        for c in &table.checks {
            lines.push(standard::check(self, c)?);
        }
        Ok(vec![format!(
            "CREATE TABLE {} (\n\t{}\n) {TABLE_OPTIONS};",
            self.qualified(&name),
            lines.join(",\n\t")
        )])
    }

    /// `RENAME TABLE `a` TO `b`;`
    fn rename_table(
        &self,
        from: &QualifiedName,
        to: &QualifiedName,
    ) -> Result<Vec<String>, RenderError> {
        check_name(self, &to.name)?;
        Ok(vec![format!(
            "RENAME TABLE {} TO {};",
            self.qualified(from),
            self.qualified(to)
        )])
    }

    /// `CREATE [UNIQUE] INDEX `i` ON `t` (`a`)[ USING BTREE];` (`concurrently` is ignored).
    fn create_index(
        &self,
        table: &QualifiedName,
        index: &Index,
    ) -> Result<Vec<String>, RenderError> {
        let (kind, columns) = self.index_parts(index)?;
        Ok(vec![format!(
            "CREATE {kind} ON {} {columns};",
            self.qualified(table)
        )])
    }

    /// `DROP INDEX `i` ON `t`;`
    fn drop_index(
        &self,
        table: &QualifiedName,
        name: &str,
        concurrently: bool,
    ) -> Result<Vec<String>, RenderError> {
        let _ = concurrently;
        Ok(vec![format!(
            "DROP INDEX {} ON {};",
            self.quote(name),
            self.qualified(table)
        )])
    }

    /// `ALTER TABLE `t` RENAME INDEX `a` TO `b`;`
    fn rename_index(
        &self,
        table: &QualifiedName,
        from: &str,
        to: &str,
    ) -> Result<Vec<String>, RenderError> {
        check_name(self, to)?;
        Ok(vec![self.alter(
            table,
            &format!("RENAME INDEX {} TO {}", self.quote(from), self.quote(to)),
        )])
    }

    /// What `MODIFY COLUMN` cannot do (STORED to VIRTUAL, VIRTUAL to plain): the column is
    /// dropped and added again, in one `ALTER TABLE`.
    fn alter_generated(
        &self,
        table: &QualifiedName,
        column: &Column,
        from: Option<&crate::model::Generated>,
    ) -> Result<Vec<String>, RenderError> {
        let _ = from;
        Ok(vec![self.alter(
            table,
            &format!(
                "DROP COLUMN {}, ADD COLUMN {}",
                self.quote(&column.name),
                self.column_definition(table, column)?
            ),
        )])
    }

    /// An identity needs the column's whole definition: see [`Dialect::script`].
    fn add_identity(
        &self,
        table: &QualifiedName,
        column: &str,
    ) -> Result<Vec<String>, RenderError> {
        Err(self.needs_script(&Change::AddIdentity {
            table: table.clone(),
            column: column.to_string(),
        }))
    }
}
