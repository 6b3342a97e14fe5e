//! Scratch databases: a fresh database that is removed when its run ends, also on failure,
//! panic or (with [`Scratch::drop_now`] called from a signal handler) a signal.
//! On a server (PostgreSQL, MySQL) it is a database on the url's server, created and dropped
//! on a connection that holds a lock marking it as this run's, so that one a killed run left
//! behind (its lock free) is dropped by the next run there; on SQLite it is `scratch.db` in a
//! new temporary directory, removed with whatever SQLite wrote beside it.
//! `verify` replays migrations on one; the test crate makes its per-test databases with it.

use super::{connect, of, Backend, Conn, Connected};
use crate::config::Dialect;
use crate::database::{self, DatabaseError, ServerError, Target, UrlSource};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The prefix of every name `verify` gives a scratch database: `verify_<pid>_<nanos>`, and
/// the directory `verify_<pid>_<nanos>_XXXXXX` of the scratch file on SQLite.
pub const SCRATCH_PREFIX: &str = "verify_";

/// Why a scratch database cannot be made or used.
#[derive(Debug, thiserror::Error)]
pub enum ScratchError {
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error("cannot create the scratch database {name} on {what}: {error}; {hint}")]
    Create {
        name: String,
        what: String,
        #[source]
        error: ServerError,
        hint: &'static str,
    },
    #[error("cannot create a scratch sqlite database in {dir}: {error}; set TMPDIR to a writable directory")]
    CreateFile {
        dir: String,
        #[source]
        error: ServerError,
    },
    #[error("{context} on the scratch database {name}: {error}")]
    Use {
        context: String,
        name: String,
        #[source]
        error: ServerError,
    },
}

/// A scratch database, removed by [`Scratch::drop_now`] or, failing that, when dropped.
pub struct Scratch {
    /// Its name on the server, or its file's path.
    pub name: String,
    /// Where it is: `127.0.0.1:5432`, `a temporary sqlite file`.
    pub what: String,
    /// A URL that connects to it.
    pub url: String,
    dialect: Dialect,
    place: Place,
}

enum Place {
    Server {
        /// The url the run was given: where the drop connects when the lock's connection is gone.
        admin: Target,
        /// The connection to the url's database that holds this run's lock.
        lock: Option<Connected>,
    },
    /// The directory, removed with the file when this goes.
    File { _dir: tempfile::TempDir },
}

impl Scratch {
    /// A new scratch database `name` for `dialect`: on the server of `target`, or (SQLite,
    /// which needs no target) a file in a new temporary directory named after `name`.
    pub async fn create(
        dialect: Dialect,
        target: Option<&Target>,
        name: &str,
    ) -> Result<Scratch, ScratchError> {
        match target {
            Some(target) if of(dialect).scratch_on_server() => {
                Scratch::on_server(dialect, target, name).await
            }
            _ => Scratch::file(dialect, name),
        }
    }

    async fn on_server(
        dialect: Dialect,
        target: &Target,
        name: &str,
    ) -> Result<Scratch, ScratchError> {
        let mut admin = connect(target, dialect).await?;
        let located = each_type!(dialect, B => B::server_of(target))
            .and_then(|what| Ok((with_database(&target.url, name)?, what)));
        let (url, what) = located.map_err(|error| DatabaseError::BadUrl {
            from: target.source.clone(),
            url: database::redact(&target.url),
            error: Box::new(error),
        })?;
        let created = admin.create_scratch(name).await;
        if let Err(e) = created {
            admin.close().await;
            return Err(ScratchError::Create {
                name: name.to_string(),
                what,
                error: ServerError::Server(Box::new(e)),
                hint: of(dialect).names().scratch_hint,
            });
        }
        Ok(Scratch {
            name: name.to_string(),
            what,
            url,
            dialect,
            place: Place::Server {
                admin: target.clone(),
                lock: Some(admin),
            },
        })
    }

    fn file(dialect: Dialect, name: &str) -> Result<Scratch, ScratchError> {
        let tmp = std::env::temp_dir();
        reclaim_abandoned_files(&tmp);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{name}_"))
            .tempdir_in(&tmp)
            .map_err(|e| ScratchError::CreateFile {
                dir: tmp.display().to_string(),
                error: ServerError::Found(e.to_string()),
            })?;
        let path = dir.path().join("scratch.db");
        Ok(Scratch {
            name: path.display().to_string(),
            what: "a temporary sqlite file".into(),
            url: format!("sqlite://{}?mode=rwc", path.display()),
            dialect,
            place: Place::File { _dir: dir },
        })
    }

    /// A new scratch database named `verify_<pid>_<nanos>` ([`SCRATCH_PREFIX`]), as
    /// [`Scratch::create`] makes it.
    pub async fn create_new(
        dialect: Dialect,
        target: Option<&Target>,
    ) -> Result<Scratch, ScratchError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("{SCRATCH_PREFIX}{}_{nanos}", std::process::id());
        Scratch::create(dialect, target, &name).await
    }

    /// Runs `work` on a connection to the scratch database ([`Scratch::connect`]), closes it,
    /// then removes the database ([`Scratch::drop_now`]), whatever `work` gave.
    pub async fn with_connection<T, E: From<ScratchError>>(
        self,
        work: impl AsyncFnOnce(&mut Connected) -> Result<T, E>,
    ) -> Result<T, E> {
        let result = match self.connect().await {
            Ok(mut conn) => {
                let result = work(&mut conn).await;
                conn.close().await;
                result
            }
            Err(e) => Err(e.into()),
        };
        self.drop_now().await;
        result
    }

    /// A connection to the scratch database, as the commands hold one (with `_sqlx_migrations`
    /// on a file, where applying goes through sqlx's bookkeeping).
    pub async fn connect(&self) -> Result<Connected, ScratchError> {
        let target = Target {
            url: self.url.clone(),
            source: UrlSource::Flag,
            base: PathBuf::new(),
        };
        let mut conn = match connect(&target, self.dialect).await {
            Ok(conn) => conn,
            Err(DatabaseError::Connect { error, .. }) => {
                return Err(self.failed("cannot connect", error))
            }
            Err(e) => return Err(e.into()),
        };
        conn.what = self.name.clone();
        if let Place::File { .. } = self.place {
            if let Err(e) = conn.ensure_history().await {
                conn.close().await;
                let error = ServerError::Sqlx(Box::new(sqlx::Error::Migrate(Box::new(e))));
                return Err(self.failed("cannot create _sqlx_migrations", error));
            }
        }
        Ok(conn)
    }

    fn failed(&self, context: &str, error: ServerError) -> ScratchError {
        ScratchError::Use {
            context: context.to_string(),
            name: self.name.clone(),
            error,
        }
    }

    /// Removes the database now: a server's is dropped on the lock's connection, which then
    /// releases the lock; a file goes with its directory.
    pub async fn drop_now(mut self) {
        let Place::Server { lock, .. } = &mut self.place else {
            return;
        };
        let Some(mut conn) = lock.take() else {
            return;
        };
        if let Err(e) = conn.drop_scratch(&self.name).await {
            warn_left(self.dialect, &self.name, &database::error_message(&e));
        }
        conn.close().await;
    }
}

impl Drop for Scratch {
    /// When [`Scratch::drop_now`] was skipped (a panic, a test's end): drops a server's
    /// database on a thread and runtime of its own (this one may be inside a runtime).
    fn drop(&mut self) {
        let Place::Server { admin, lock } = &mut self.place else {
            return;
        };
        let Some(conn) = lock.take() else {
            return;
        };
        drop(conn);
        let (admin, name, dialect) = (admin.clone(), self.name.clone(), self.dialect);
        let dropped = std::thread::spawn(move || {
            database::block_on(async move {
                let mut conn = connect(&admin, dialect).await.ok()?;
                let dropped = conn.drop_scratch(&name).await;
                conn.close().await;
                dropped.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(Some(())))) {
            warn_left(self.dialect, &self.name, "the run was interrupted");
        }
    }
}

fn warn_left(dialect: Dialect, name: &str, error: &str) {
    let sql = each_type!(dialect, B => B::drop_scratch_sql(name));
    eprintln!(
        "warning: could not drop the scratch database {name} ({error}); drop it by hand: {sql}"
    );
}

impl Connected {
    /// Creates the scratch database `name`, after dropping those killed runs left (best
    /// effort: a database this user may not drop is left alone).
    async fn create_scratch(&mut self, name: &str) -> Result<(), sqlx::Error> {
        let abandoned = each!(&mut self.conn, c => c.abandoned_scratch().await);
        for left in abandoned.unwrap_or_default() {
            let _ = self.drop_scratch(&left).await;
        }
        each!(&mut self.conn, c => c.create_scratch(name).await)
    }

    /// Drops the scratch database `name`.
    async fn drop_scratch(&mut self, name: &str) -> Result<(), sqlx::Error> {
        use sqlx::Executor;
        each!(&mut self.conn, c => {
            let sql = drop_sql(c, name);
            c.execute(sql.as_str()).await.map(drop)
        })
    }
}

fn drop_sql<B: Backend>(_: &B, name: &str) -> String {
    B::drop_scratch_sql(name)
}

/// `url` naming database `name` instead of its own (user, host, port and query kept).
pub(crate) fn with_database(url: &str, name: &str) -> Result<String, sqlx::Error> {
    let mut parsed = url::Url::parse(url).map_err(|e| sqlx::Error::Configuration(Box::new(e)))?;
    parsed.set_path(&format!("/{name}"));
    Ok(parsed.to_string())
}

/// Removes the scratch directories of `verify` runs that were killed (their process is gone),
/// when the system says which processes run (`/proc`). Best effort, and only directories that
/// hold nothing but a scratch database.
fn reclaim_abandoned_files(tmp: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(SCRATCH_PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if pid == std::process::id() || proc.join(pid.to_string()).exists() {
            continue;
        }
        let only_scratch = std::fs::read_dir(entry.path()).is_ok_and(|files| {
            files
                .filter_map(Result::ok)
                .all(|f| f.file_name().to_string_lossy().starts_with("scratch.db"))
        });
        if only_scratch {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
