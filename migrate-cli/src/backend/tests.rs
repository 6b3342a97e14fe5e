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
