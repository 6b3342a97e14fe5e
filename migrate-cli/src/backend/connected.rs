//! What a [`Connected`] does, written once: the history table, the replay of a failed file,
//! and the dispatch of every other call to the [`Backend`] of the connection it holds.

use super::{mysql, postgres, sqlite};
use super::{
    AppliedRow, ApplyError, Backend, Conn, Connected, Database, ExprKind, Replayed, RowCount,
    StepError,
};
use crate::database::{DatabaseError, ServerError, HISTORY_TABLE};
use crate::statements::{split_statements, Statement};
use schema_core::diff::QualifiedName;
use schema_core::model::{Schema, Table};
use sqlx::migrate::{Migrate, MigrateError, Migration};
use sqlx::{Connection, Executor, Row};
use std::time::Duration;

impl Connected {
    fn failed(&self, context: &str, error: ServerError) -> DatabaseError {
        DatabaseError::Query {
            context: context.to_string(),
            what: self.what.clone(),
            error,
        }
    }

    /// Whether DDL here runs inside transactions.
    pub fn transactional_ddl(&self) -> bool {
        each!(&self.conn, c => transactional(c))
    }

    /// Takes the migration lock.
    pub async fn lock(&mut self) -> Result<(), MigrateError> {
        each!(&mut self.conn, c => Backend::lock(c).await)
    }

    /// Releases the migration lock.
    pub async fn unlock(&mut self) -> Result<(), MigrateError> {
        each!(&mut self.conn, c => Backend::unlock(c).await)
    }

    /// Creates `_sqlx_migrations` as sqlx does.
    pub async fn ensure_history(&mut self) -> Result<(), MigrateError> {
        each!(&mut self.conn, c => c.ensure_migrations_table().await)
    }

    /// Whether `_sqlx_migrations` exists (without creating it).
    pub async fn has_history(&mut self) -> Result<bool, DatabaseError> {
        const CONTEXT: &str = "cannot look for _sqlx_migrations";
        let count: Result<i64, sqlx::Error> = each!(&mut self.conn, c => {
            let sql = history_exists(c);
            sqlx::query_scalar(sql).fetch_one(&mut *c).await
        });
        match count {
            Ok(-1) => Err(self.failed(
                CONTEXT,
                ServerError::Found("the url names no database; add its name to the url (mysql://user@host:3306/DATABASE)".into()),
            )),
            Ok(n) => Ok(n > 0),
            Err(e) => Err(self.failed(CONTEXT, ServerError::Sqlx(Box::new(e)))),
        }
    }

    /// Every row of `_sqlx_migrations`, by version; empty when the table does not exist.
    pub async fn applied(&mut self) -> Result<Vec<AppliedRow>, DatabaseError> {
        if !self.has_history().await? {
            return Ok(Vec::new());
        }
        let rows = each!(&mut self.conn, c => {
            let sql = format!(
                "SELECT version, description, {} AS installed_on, success, checksum \
                 FROM {HISTORY_TABLE} ORDER BY version",
                installed_on(c)
            );
            sqlx::query(&sql).fetch_all(&mut *c).await.and_then(|rows| {
                rows.iter().map(|r| Ok(AppliedRow {
                    version: r.try_get(0)?,
                    description: r.try_get(1)?,
                    installed_on: r.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
                    success: r.try_get(3)?,
                    checksum: r.try_get(4)?,
                })).collect::<Result<Vec<_>, sqlx::Error>>()
            })
        });
        rows.map_err(|e| {
            self.failed(
                "cannot read _sqlx_migrations",
                ServerError::Sqlx(Box::new(e)),
            )
        })
    }

    /// The `(hash, created_at)` rows drizzle-kit's migrator recorded for the migrations it
    /// applied (`drizzle.__drizzle_migrations` on PostgreSQL, `__drizzle_migrations`
    /// elsewhere); `None` when that table does not exist.
    pub async fn drizzle_rows(&mut self) -> Result<Option<Vec<(String, i64)>>, DatabaseError> {
        let (exists, select) = match &self.conn {
            Conn::Postgres(_) => (
                "SELECT count(*) FROM pg_catalog.pg_class WHERE oid = to_regclass('drizzle.__drizzle_migrations')",
                "SELECT hash, CAST(created_at AS bigint) FROM drizzle.__drizzle_migrations",
            ),
            Conn::Sqlite(_) => (
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '__drizzle_migrations'",
                "SELECT hash, CAST(created_at AS INTEGER) FROM __drizzle_migrations",
            ),
            Conn::Mysql(_) => (
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '__drizzle_migrations'",
                "SELECT hash, CAST(created_at AS SIGNED) FROM __drizzle_migrations",
            ),
        };
        let read = each!(&mut self.conn, c => {
            match sqlx::query_scalar::<_, i64>(exists).fetch_one(&mut *c).await {
                Ok(0) => Ok(None),
                Ok(_) => sqlx::query_as::<_, (String, i64)>(select).fetch_all(&mut *c).await.map(Some),
                Err(e) => Err(e),
            }
        });
        read.map_err(|e| {
            self.failed(
                "cannot read drizzle-kit's migrations table",
                ServerError::Sqlx(Box::new(e)),
            )
        })
    }

    /// `repair --checksum`: records `checksum` for the successful row of `version`; gives
    /// whether a row was changed.
    pub async fn set_checksum(
        &mut self,
        version: i64,
        checksum: &[u8],
    ) -> Result<bool, DatabaseError> {
        let done = each!(&mut self.conn, c => {
            let sql = set_checksum(c);
            sqlx::query(sql).bind(checksum).bind(version).execute(&mut *c).await.map(|r| r.rows_affected())
        });
        done.map(|n| n > 0).map_err(|e| {
            self.failed(
                "cannot record the checksum in _sqlx_migrations",
                ServerError::Sqlx(Box::new(e)),
            )
        })
    }

    /// `repair --failed`: removes the failed row of `version`; gives whether there was one.
    pub async fn delete_failed(&mut self, version: i64) -> Result<bool, DatabaseError> {
        let done = each!(&mut self.conn, c => {
            let sql = delete_failed(c);
            sqlx::query(sql).bind(version).execute(&mut *c).await.map(|r| r.rows_affected())
        });
        done.map(|n| n > 0).map_err(|e| {
            self.failed(
                "cannot remove the failed row from _sqlx_migrations",
                ServerError::Sqlx(Box::new(e)),
            )
        })
    }

    /// `baseline`: records `m` as applied without running it, as sqlx records a migration it
    /// ran (version, description, checksum, `success` true), its `execution_time` 0
    /// nanoseconds; `_sqlx_migrations` must exist ([`Connected::ensure_history`]).
    pub async fn record(&mut self, m: &Migration) -> Result<(), DatabaseError> {
        let done: Result<(), sqlx::Error> = each!(&mut self.conn, c => async {
            let (insert, timed) = record_sql(c);
            let mut tx = c.begin().await?;
            sqlx::query(insert)
                .bind(m.version)
                .bind(&*m.description)
                .bind(&*m.checksum)
                .execute(&mut *tx)
                .await?;
            sqlx::query(timed).bind(0_i64).bind(m.version).execute(&mut *tx).await?;
            tx.commit().await
        }.await);
        done.map_err(|e| {
            self.failed(
                &format!("cannot record migration {} in _sqlx_migrations", m.version),
                ServerError::Sqlx(Box::new(e)),
            )
        })
    }

    /// Applies one migration file as `migrate` does.
    pub async fn apply(&mut self, m: &Migration) -> Result<Duration, ApplyError> {
        let policy = self.policy;
        each!(&mut self.conn, c => Backend::apply(c, m, &policy).await)
    }

    /// See [`Backend::revert_one`].
    pub async fn revert_one(&mut self, down: &Migration) -> Result<Duration, ApplyError> {
        let policy = self.policy;
        each!(&mut self.conn, c => c.revert_one(down, &policy).await)
    }

    /// See [`Backend::recover`].
    pub async fn recover(&mut self, m: &Migration) -> Option<Result<bool, sqlx::Error>> {
        each!(&mut self.conn, c => c.recover(m).await)
    }

    /// See [`Backend::replay_own`].
    pub async fn replay_own(&mut self, statements: &[&str]) -> Option<Replayed> {
        each!(&mut self.conn, c => c.replay_own(statements).await)
    }

    /// See [`Backend::failure_note`].
    pub async fn failure_note(&mut self, sql: &str) -> Option<String> {
        each!(&mut self.conn, c => c.failure_note(sql).await)
    }

    /// Applies one migration for `verify` as `migrate` would; on failure, the line of the
    /// failing statement when it can be found, and the error.
    pub async fn replay_step(&mut self, m: &Migration) -> Result<(), (Option<usize>, ServerError)> {
        let replayed = each!(&mut self.conn, c => c.replay_step(m).await);
        self.located(m, replayed).await
    }

    /// Runs a down migration for `verify` after its up, leaving no `_sqlx_migrations` row of
    /// its version; on failure, as [`Connected::replay_step`].
    pub async fn replay_down(&mut self, m: &Migration) -> Result<(), (Option<usize>, ServerError)> {
        let replayed = each!(&mut self.conn, c => c.replay_down(m).await);
        self.located(m, replayed).await
    }

    /// The line of the failing statement of `m`, found by a replay rolled back when the
    /// backend could not tell it, and the error.
    async fn located(
        &mut self,
        m: &Migration,
        replayed: Result<(), StepError>,
    ) -> Result<(), (Option<usize>, ServerError)> {
        let server = |e: sqlx::Error| ServerError::Server(Box::new(e));
        let error = match replayed {
            Ok(()) => return Ok(()),
            Err(StepError::At(line, error)) => return Err((line, server(error))),
            Err(StepError::Unsplittable(error)) => {
                return Err((Some(error.line()), ServerError::Unsplittable(error)))
            }
            Err(StepError::Whole(error)) => error,
        };
        let statements = split_statements(&m.sql);
        let real: Vec<&Statement<'_>> = statements
            .iter()
            .filter(|s| s.sql_line().is_some())
            .collect();
        let texts: Vec<&str> = real.iter().map(|s| s.text).collect();
        let line = match self.first_failing(&texts).await {
            Ok(Some((i, _))) => real.get(i).and_then(|s| s.sql_line()),
            _ => None,
        };
        Err((line, server(error)))
    }

    /// What the connected database is, before any connection.
    pub fn database(&self) -> &'static dyn Database {
        match self.conn {
            Conn::Postgres(_) => &postgres::Postgres,
            Conn::Sqlite(_) => &sqlite::Sqlite,
            Conn::Mysql(_) => &mysql::Mysql,
        }
    }

    /// The whole user schema of the connected database.
    pub async fn introspect(&mut self) -> Result<Schema, sqlx::Error> {
        each!(&mut self.conn, c => Backend::introspect(c).await)
    }

    /// See [`Backend::row_count`].
    pub async fn row_count(&mut self, table: &QualifiedName) -> RowCount {
        each!(&mut self.conn, c => c.row_count(table).await)
    }

    /// See [`Backend::normalize_expressions`].
    pub async fn normalize_expressions(
        &mut self,
        table: &Table,
        expressions: &[(ExprKind, String)],
    ) -> Result<Vec<Option<String>>, sqlx::Error> {
        each!(&mut self.conn, c => c.normalize_expressions(table, expressions).await)
    }

    /// See [`Backend::view_definitions`].
    pub async fn view_definitions(
        &mut self,
        views: &[schema_core::model::View],
    ) -> Result<Vec<Option<String>>, sqlx::Error> {
        each!(&mut self.conn, c => c.view_definitions(views).await)
    }

    /// PostgreSQL: drops the index `schema.name` when an interrupted `CREATE INDEX
    /// CONCURRENTLY` left it invalid, so that the build can run again; true when it did.
    pub async fn drop_invalid_index(
        &mut self,
        schema: &str,
        name: &str,
    ) -> Result<bool, DatabaseError> {
        let dropped = each!(&mut self.conn, c => c.drop_invalid_index(schema, name).await);
        dropped.map_err(|e| {
            self.failed(
                "cannot drop an invalid index left by an interrupted build",
                ServerError::Sqlx(Box::new(e)),
            )
        })
    }

    /// Runs `statements` in order in one transaction that is always rolled back, and gives the
    /// index of the first that fails with the database's error.
    pub async fn first_failing(
        &mut self,
        statements: &[&str],
    ) -> Result<Option<(usize, sqlx::Error)>, DatabaseError> {
        let result: Result<Option<(usize, sqlx::Error)>, sqlx::Error> = each!(&mut self.conn, c => async {
            let mut tx = c.begin().await?;
            let mut failed = None;
            for (i, statement) in statements.iter().enumerate() {
                if let Err(e) = (&mut *tx).execute(*statement).await {
                    failed = Some((i, e));
                    break;
                }
            }
            tx.rollback().await?;
            Ok(failed)
        }.await);
        result.map_err(|e| {
            self.failed(
                "cannot replay the failed migration",
                ServerError::Sqlx(Box::new(e)),
            )
        })
    }

    /// Closes the connection (releasing sqlx's advisory lock with the session).
    pub async fn close(self) {
        let _ = each!(self.conn, c => c.close().await);
    }
}

fn history_exists<B: Backend>(_: &B) -> &'static str {
    B::HISTORY_EXISTS
}

fn set_checksum<B: Backend>(_: &B) -> &'static str {
    B::SET_CHECKSUM
}

fn delete_failed<B: Backend>(_: &B) -> &'static str {
    B::DELETE_FAILED
}

fn record_sql<B: Backend>(_: &B) -> (&'static str, &'static str) {
    (B::RECORD, B::SET_EXECUTION_TIME)
}

fn installed_on<B: Backend>(_: &B) -> &'static str {
    B::INSTALLED_ON
}

fn transactional<B: Backend>(_: &B) -> bool {
    B::TRANSACTIONAL_DDL
}
