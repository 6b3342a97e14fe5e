//! Connecting: messages that name the database without its secrets, and refusing a URL of
//! another database.

use super::*;
use crate::database::UrlSource;
use std::path::PathBuf;

fn flag(url: &str) -> Target {
    Target {
        url: url.into(),
        source: UrlSource::Flag,
        base: PathBuf::from("/"),
    }
}

#[tokio::test]
async fn unreachable_server_is_named_without_the_password() {
    let target = flag("postgres://app:hunter2@127.0.0.1:1/shop");
    let err = connect(&target, Dialect::Postgres)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("postgres database \"shop\" at 127.0.0.1:1"),
        "{err}"
    );
    assert!(err.contains("check that the server is running"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    let err = connect(&target, Dialect::Sqlite)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("is not a sqlite url"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[tokio::test]
async fn a_password_in_the_query_string_is_never_shown() {
    let target = flag("mysql://app@127.0.0.1:1/shop?password=hunter2");
    let err = connect(&target, Dialect::Postgres)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("is not a postgres url"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

/// Schemes are case-insensitive: `SQLITE://dev.db` is the file `dev.db`, not a path.
#[tokio::test]
async fn an_uppercase_sqlite_scheme_names_the_file() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("dev.db"), b"").expect("an empty database file");
    let target = Target {
        url: "SQLITE://dev.db".into(),
        source: UrlSource::Flag,
        base: dir.path().to_path_buf(),
    };
    let sqlite = of(Dialect::Sqlite);
    assert!(!sqlite.file_missing(&target));
    let connected = connect(&target, Dialect::Sqlite).await;
    let what = connected.map(|c| c.what).unwrap_or_else(|e| e.to_string());
    let file = dir.path().join("dev.db");
    assert_eq!(what, format!("sqlite database {}", file.display()));
}

#[test]
fn a_url_of_another_database_is_no_missing_sqlite_file() {
    let sqlite = of(Dialect::Sqlite);
    assert!(!sqlite.file_missing(&flag("postgres://u@h/db")));
    assert!(!sqlite.file_missing(&flag("bogus")));
    assert!(sqlite.file_missing(&flag("sqlite:///nowhere/at/all.db")));
}

#[tokio::test]
async fn the_database_error_is_kept_as_the_source() {
    let err = connect(&flag("postgres://app@127.0.0.1:1/shop"), Dialect::Postgres)
        .await
        .err()
        .unwrap();
    let source = std::error::Error::source(&err).expect("a source");
    let server = source
        .downcast_ref::<ServerError>()
        .expect("the database's error");
    assert!(
        matches!(server, ServerError::Sqlx(e) if matches!(**e, sqlx::Error::Io(_))),
        "{server:?}"
    );
}
