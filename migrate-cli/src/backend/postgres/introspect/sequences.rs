//! The sequences, from `pg_sequence`: every sequence except those PostgreSQL made for an
//! identity column, which belong to their column (`pg_depend` type `i`). The sequence a column
//! owns (`serial`, `OWNED BY`) is read as a declared one: the column's default names it, so a
//! schema built from the model (a baseline, pulled sources) must create it before the table;
//! except the one of a migrations table (sqlx's, drizzle-kit's), which belongs to its tool.

use super::SYSTEM_SCHEMAS;
use crate::database::HISTORY_TABLE;
use crate::import::drizzle::DRIZZLE_TABLE;
use schema_core::model::{Schema, Sequence, SequenceOptions};
use sqlx::{PgConnection, Row};

/// Adds the sequences of no identity column to `schema`, with every option as the catalog holds it.
pub(super) async fn sequences(
    conn: &mut PgConnection,
    schema: &mut Schema,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT n.nspname, c.relname, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, \
                s.seqcache, s.seqcycle \
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE {SYSTEM_SCHEMAS} AND NOT EXISTS (SELECT 1 FROM pg_depend d \
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
               AND d.deptype = 'i') \
         AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid \
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
               AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' \
               AND t.relname IN ('{HISTORY_TABLE}', '{DRIZZLE_TABLE}')) \
         ORDER BY n.nspname, c.relname"
    );
    for row in sqlx::query(&sql).fetch_all(conn).await? {
        let sequence = Sequence {
            schema: row.try_get(0)?,
            name: row.try_get(1)?,
            options: SequenceOptions {
                start: Some(row.try_get(2)?),
                increment: Some(row.try_get(3)?),
                min: Some(row.try_get(4)?),
                max: Some(row.try_get(5)?),
                cache: Some(row.try_get(6)?),
                cycle: row.try_get(7)?,
            },
            renamed_from: None,
        };
        schema.sequences.insert(sequence.key(), sequence);
    }
    Ok(())
}
