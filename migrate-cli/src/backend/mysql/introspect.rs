//! Reads a MySQL or MariaDB database (the one the connection uses, `DATABASE()`) into the
//! [`Schema`] model that `generate` writes into MySQL snapshots: every table in the `public`
//! schema, no enums (an enum is the column's inline `enum('a','b')` type).
//!
//! Everything comes from `information_schema`, with queries MySQL 8 and MariaDB answer alike,
//! except for checks: MariaDB's `check_constraints` has the table's name (and check names are
//! per table there), MySQL 8's has not, so its checks are found through `table_constraints`.
//! What the two servers print differently is read into one form:
//! - types lose the integer display widths MariaDB and MySQL 5.7 print (`bigint(20)` →
//!   `bigint`, `tinyint(1)` stays); MariaDB's `json` is `longtext` with a column-level
//!   `CHECK (json_valid(`c`))` named after the column (its name at the time: a renamed column
//!   keeps the check's old name), read back as `json` without that check;
//! - defaults: MariaDB prints none as `NULL` and strings quoted in MySQL's escapes, MySQL 8
//!   prints strings bare and marks expressions `DEFAULT_GENERATED`; both become SQL as the model
//!   holds it (`'it''s'`, `0`, `CURRENT_TIMESTAMP(6)`);
//! - foreign key actions: InnoDB's `RESTRICT` and `NO ACTION` are one action (checked at once),
//!   and MariaDB reports `RESTRICT` where MySQL 8 reports `NO ACTION` for a key written without
//!   one, so both read as [`FkAction::NoAction`], the model's default.
//!
//! The primary key is `PRIMARY`; every other index, unique ones included, is an [`Index`]
//! (so `uniques` stays empty), `HASH` ones with `using = "hash"`. sqlx's `_sqlx_migrations`
//! is skipped.

pub(super) mod views;

use crate::backend::bare_table;
use crate::database::HISTORY_TABLE;
use schema_core::model::{
    Check, Column, ColumnType, FkAction, ForeignKey, Generated, Index, IndexKey, KeyTarget,
    PrimaryKey, Schema, Table, DEFAULT_SCHEMA,
};
use schema_core::render::mysql::{canonical_default, normalize_type};
use sqlx::mysql::MySqlRow;
use sqlx::{MySqlConnection, Row};

/// The whole user schema of the database `conn` is connected to.
pub async fn introspect(conn: &mut MySqlConnection) -> Result<Schema, sqlx::Error> {
    let version: String = sqlx::query_scalar("SELECT VERSION()")
        .fetch_one(&mut *conn)
        .await?;
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    let mut schema = Schema::default();
    let sql = "SELECT table_name FROM information_schema.tables \
               WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> ? \
               ORDER BY table_name";
    for row in sqlx::query(sql)
        .bind(HISTORY_TABLE)
        .fetch_all(&mut *conn)
        .await?
    {
        let table = bare_table(DEFAULT_SCHEMA.to_string(), text(&row, 0)?);
        schema.tables.insert(table.key(), table);
    }
    columns(conn, &mut schema, mariadb).await?;
    indexes(conn, &mut schema, mariadb).await?;
    foreign_keys(conn, &mut schema).await?;
    checks(conn, &mut schema, mariadb).await?;
    views::views(conn, &mut schema).await?;
    Ok(schema)
}

/// A text column; MySQL 8 gives some `information_schema` columns as binary strings.
fn text(row: &MySqlRow, index: usize) -> Result<String, sqlx::Error> {
    Ok(opt_text(row, index)?.unwrap_or_default())
}

fn opt_text(row: &MySqlRow, index: usize) -> Result<Option<String>, sqlx::Error> {
    match row.try_get::<Option<String>, _>(index) {
        Ok(s) => Ok(s),
        Err(_) => Ok(row
            .try_get::<Option<Vec<u8>>, _>(index)?
            .map(|b| String::from_utf8_lossy(&b).into_owned())),
    }
}

fn table_of<'a>(
    schema: &'a mut Schema,
    row: &MySqlRow,
) -> Result<Option<&'a mut Table>, sqlx::Error> {
    let key = Schema::key(DEFAULT_SCHEMA, &text(row, 0)?);
    Ok(schema.tables.get_mut(&key))
}

async fn columns(
    conn: &mut MySqlConnection,
    schema: &mut Schema,
    mariadb: bool,
) -> Result<(), sqlx::Error> {
    let sql = "SELECT table_name, column_name, column_type, is_nullable, column_default, extra, \
                      generation_expression \
               FROM information_schema.columns WHERE table_schema = DATABASE() \
               ORDER BY table_name, ordinal_position";
    for row in sqlx::query(sql).fetch_all(&mut *conn).await? {
        let Some(table) = table_of(schema, &row)? else {
            continue;
        };
        let ty = column_type(&text(&row, 2)?);
        let extra = text(&row, 5)?.to_ascii_lowercase();
        let default = match mariadb {
            true => mariadb_default(opt_text(&row, 4)?),
            false => mysql_default(opt_text(&row, 4)?, &ty, &extra),
        };
        // `STORED GENERATED` / `VIRTUAL GENERATED` (MySQL 8 and MariaDB alike; MySQL's
        // `DEFAULT_GENERATED` is a default that is an expression).
        let generated =
            match extra.contains("stored generated") || extra.contains("virtual generated") {
                true => Some(Generated {
                    expr: text(&row, 6)?,
                    is_virtual: extra.contains("virtual"),
                }),
                false => None,
            };
        table.columns.push(Column {
            name: text(&row, 1)?,
            default: default.map(|d| canonical_default(&d, &ty)),
            ty: ColumnType::Builtin(ty),
            nullable: text(&row, 3)? == "YES",
            identity: extra.contains("auto_increment"),
            identity_options: Default::default(),
            generated,
            renamed_from: None,
        });
    }
    Ok(())
}

/// `column_type` as the model spells it: lowercase, without integer display widths
/// (`int(11) unsigned` → `int unsigned`) except `tinyint(1)`, the boolean.
pub fn column_type(column_type: &str) -> String {
    let ty = column_type.trim().to_lowercase();
    // Enum and set values keep their case.
    let ty = match ty.find('(') {
        Some(i) if ty.starts_with("enum") || ty.starts_with("set") => {
            format!("{}{}", &ty[..i], &column_type.trim()[i..])
        }
        _ => ty,
    };
    const INTEGERS: [&str; 5] = ["tinyint", "smallint", "mediumint", "int", "bigint"];
    let ty = match ty.split_once('(') {
        Some((base, rest)) if INTEGERS.contains(&base) && ty != "tinyint(1)" => {
            let after = rest.split_once(')').map_or("", |(_, after)| after);
            format!("{base}{after}")
        }
        _ => ty,
    };
    normalize_type(&ty)
}

/// MariaDB's `column_default`: `NULL` (or nothing) for none, else the SQL expression, string
/// literals in MySQL's syntax (`'it''s'`, `'a\\b'` for `a\b`) as the model keeps them.
pub fn mariadb_default(printed: Option<String>) -> Option<String> {
    printed.filter(|p| !p.eq_ignore_ascii_case("null"))
}

/// MySQL 8's `column_default`: SQL NULL for none, an expression when `extra` says
/// `DEFAULT_GENERATED`, else the bare value, quoted here unless the type is a number.
pub fn mysql_default(printed: Option<String>, ty: &str, extra: &str) -> Option<String> {
    let printed = printed?;
    if extra.contains("default_generated") {
        return Some(printed);
    }
    const NUMBERS: [&str; 10] = [
        "tinyint",
        "smallint",
        "mediumint",
        "int",
        "bigint",
        "decimal",
        "float",
        "double",
        "bit",
        "year",
    ];
    let base = ty.split(['(', ' ']).next().unwrap_or(ty);
    Some(match NUMBERS.contains(&base) {
        true => printed,
        false => format!("'{}'", printed.replace('\\', "\\\\").replace('\'', "''")),
    })
}

/// The primary key and the indexes, their columns in `seq_in_index` order, sorted by name.
/// A MySQL 8 functional key part has no column name but its `expression` (a column MariaDB's
/// `statistics` does not have); `collation` `D` is a descending key part.
async fn indexes(
    conn: &mut MySqlConnection,
    schema: &mut Schema,
    mariadb: bool,
) -> Result<(), sqlx::Error> {
    let expression = match mariadb {
        true => "NULL",
        false => "expression",
    };
    let sql = format!(
        "SELECT table_name, index_name, CAST(non_unique AS SIGNED), column_name, index_type, \
                {expression}, collation \
         FROM information_schema.statistics WHERE table_schema = DATABASE() \
         ORDER BY table_name, index_name, seq_in_index"
    );
    for row in sqlx::query(&sql).fetch_all(&mut *conn).await? {
        let Some(table) = table_of(schema, &row)? else {
            continue;
        };
        let name = text(&row, 1)?;
        let column = opt_text(&row, 3)?;
        if name == "PRIMARY" {
            let pk = table.primary_key.get_or_insert_with(|| PrimaryKey {
                name: name.clone(),
                columns: Vec::new(),
            });
            pk.columns.push(column.unwrap_or_default());
            continue;
        }
        let key = IndexKey {
            target: match (column, opt_text(&row, 5)?) {
                (None, Some(expression)) => KeyTarget::Expression(expression),
                (column, _) => KeyTarget::Column(column.unwrap_or_default()),
            },
            opclass: None,
            desc: opt_text(&row, 6)?.as_deref() == Some("D"),
            nulls: None,
        };
        if let Some(index) = table.indexes.iter_mut().find(|i| i.name == name) {
            index.keys.push(key);
            continue;
        }
        let using = text(&row, 4)?.to_lowercase();
        table.indexes.push(Index {
            keys: vec![key],
            with: Default::default(),
            name,
            columns: Vec::new(),
            unique: row.try_get::<i64, _>(2)? == 0,
            predicate: None,
            using: (using != "btree").then_some(using),
            concurrently: false,
            nulls_not_distinct: false,
        });
    }
    // Plain columns in `columns`, as the model keeps them.
    for index in schema
        .tables
        .values_mut()
        .flat_map(|t| t.indexes.iter_mut())
    {
        let keys = std::mem::take(&mut index.keys);
        index.set_keys(keys);
    }
    for table in schema.tables.values_mut() {
        table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(())
}

/// Foreign keys with their columns in order, sorted by name.
async fn foreign_keys(conn: &mut MySqlConnection, schema: &mut Schema) -> Result<(), sqlx::Error> {
    let sql = "SELECT k.table_name, k.constraint_name, k.column_name, k.referenced_table_name, \
                      k.referenced_column_name, r.delete_rule, r.update_rule \
               FROM information_schema.key_column_usage k \
               JOIN information_schema.referential_constraints r \
                 ON r.constraint_schema = k.constraint_schema \
                AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name \
               WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL \
               ORDER BY k.table_name, k.constraint_name, k.ordinal_position";
    for row in sqlx::query(sql).fetch_all(&mut *conn).await? {
        let Some(table) = table_of(schema, &row)? else {
            continue;
        };
        let name = text(&row, 1)?;
        let (column, ref_column) = (text(&row, 2)?, text(&row, 4)?);
        if let Some(fk) = table.foreign_keys.iter_mut().find(|f| f.name == name) {
            fk.columns.push(column);
            fk.ref_columns.push(ref_column);
            continue;
        }
        table.foreign_keys.push(ForeignKey {
            name,
            columns: vec![column],
            ref_schema: DEFAULT_SCHEMA.to_string(),
            ref_table: text(&row, 3)?,
            ref_columns: vec![ref_column],
            on_delete: action(&text(&row, 5)?),
            on_update: action(&text(&row, 6)?),
        });
    }
    for table in schema.tables.values_mut() {
        table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(())
}

/// `referential_constraints`' rules; `RESTRICT` is `NO ACTION` on InnoDB (module docs).
pub fn action(rule: &str) -> FkAction {
    match FkAction::parse(rule).unwrap_or_default() {
        FkAction::Restrict => FkAction::NoAction,
        other => other,
    }
}

/// Check constraints, sorted by name; MariaDB's `json_valid` checks make their column `json`.
async fn checks(
    conn: &mut MySqlConnection,
    schema: &mut Schema,
    mariadb: bool,
) -> Result<(), sqlx::Error> {
    let sql = match mariadb {
        true => {
            "SELECT table_name, constraint_name, check_clause, level FROM information_schema.check_constraints \
             WHERE constraint_schema = DATABASE() ORDER BY table_name, constraint_name"
        }
        false => {
            "SELECT tc.table_name, tc.constraint_name, cc.check_clause \
             FROM information_schema.table_constraints tc \
             JOIN information_schema.check_constraints cc \
               ON cc.constraint_schema = tc.constraint_schema AND cc.constraint_name = tc.constraint_name \
             WHERE tc.table_schema = DATABASE() AND tc.constraint_type = 'CHECK' \
             ORDER BY tc.table_name, tc.constraint_name"
        }
    };
    // MariaDB's own `json` check is a column-level one; a table-level `json_valid(..)` check is
    // the user's, kept as a check.
    for row in sqlx::query(sql).fetch_all(&mut *conn).await? {
        let Some(table) = table_of(schema, &row)? else {
            continue;
        };
        let (name, expr) = (text(&row, 1)?, text(&row, 2)?);
        let column_level = mariadb && text(&row, 3)?.eq_ignore_ascii_case("column");
        if let Some(column) = json_column(table, &expr).filter(|_| column_level) {
            column.ty = ColumnType::Builtin(normalize_type("json"));
            continue;
        }
        table.checks.push(Check { name, expr });
    }
    for table in schema.tables.values_mut() {
        table.checks.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(())
}

/// The `longtext` column MariaDB's `json` check (`json_valid(`c`)`) makes a `json` one. The
/// check is named after the column when it is made, and keeps that name when the column is
/// renamed, so only its clause counts.
fn json_column<'a>(table: &'a mut Table, expr: &str) -> Option<&'a mut Column> {
    let compact: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = compact
        .strip_prefix("json_valid(")
        .or_else(|| compact.strip_prefix("JSON_VALID("))?
        .strip_suffix(')')?;
    let column = inner
        .strip_prefix('`')?
        .strip_suffix('`')?
        .replace("``", "`");
    table.columns.iter_mut().find(|c| {
        c.name.eq_ignore_ascii_case(&column)
            && matches!(&c.ty, ColumnType::Builtin(t) if t == "longtext")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_lose_display_widths_but_keep_the_boolean_and_enum_values() {
        let cases = [
            ("bigint(20)", "bigint"),
            ("int(11)", "int"),
            ("INT(10) UNSIGNED", "int unsigned"),
            ("smallint(6)", "smallint"),
            ("tinyint(1)", "tinyint(1)"),
            ("tinyint(4)", "tinyint"),
            ("varchar(320)", "varchar(320)"),
            ("decimal(10,2)", "decimal(10,2)"),
            ("datetime(6)", "datetime(6)"),
            ("enum('Open','it''s')", "enum('Open','it''s')"),
            ("double", "double"),
        ];
        for (printed, model) in cases {
            assert_eq!(column_type(printed), model, "{printed}");
        }
    }

    #[test]
    fn defaults_of_both_servers_read_the_same() {
        let some = |s: &str| Some(s.to_string());
        // MariaDB
        assert_eq!(mariadb_default(None), None);
        assert_eq!(mariadb_default(some("NULL")), None);
        assert_eq!(mariadb_default(some("'it''s'")), some("'it''s'"));
        assert_eq!(mariadb_default(some("'a\\\\b'")), some("'a\\\\b'"));
        assert_eq!(mariadb_default(some("-1.5")), some("-1.5"));
        assert_eq!(
            mariadb_default(some("current_timestamp(6)")),
            some("current_timestamp(6)")
        );
        // MySQL 8
        assert_eq!(mysql_default(None, "int", ""), None);
        assert_eq!(mysql_default(some("0"), "int", ""), some("0"));
        assert_eq!(mysql_default(some("1"), "tinyint(1)", ""), some("1"));
        assert_eq!(
            mysql_default(some("it's"), "varchar(5)", ""),
            some("'it''s'")
        );
        assert_eq!(
            mysql_default(some("open"), "enum('open','closed')", ""),
            some("'open'")
        );
        assert_eq!(
            mysql_default(
                some("CURRENT_TIMESTAMP(6)"),
                "datetime(6)",
                "default_generated"
            ),
            some("CURRENT_TIMESTAMP(6)")
        );
    }

    #[test]
    fn restrict_and_no_action_are_one_action() {
        assert_eq!(action("RESTRICT"), FkAction::NoAction);
        assert_eq!(action("NO ACTION"), FkAction::NoAction);
        assert_eq!(action("CASCADE"), FkAction::Cascade);
        assert_eq!(action("SET NULL"), FkAction::SetNull);
    }
}
