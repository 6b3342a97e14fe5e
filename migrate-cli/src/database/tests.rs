//! Where the URL comes from, `.env` files read as sqlx-cli reads them, and redaction.

use super::*;

fn config(dialect: Dialect, url: Option<&str>, dir: &Path) -> Config {
    Config {
        path: dir.join("migrate.toml"),
        dialect,
        schema: vec![dir.join("src")],
        out: dir.join("migrations"),
        database_url: url.map(str::to_string),
        ignore_tables: Vec::new(),
        targets: Default::default(),
    }
}

#[test]
fn url_comes_from_flag_then_env_then_dotenv_then_config_then_sqlite_default() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = Path::new("/work");
    let pg = config(Dialect::Postgres, Some("postgres://cfg/db"), dir.path());
    let pick = |c: &Config, flag: Option<&str>, env: Option<&str>| {
        resolve_url(c, flag, env.map(str::to_string), cwd).map(|t| (t.url, t.source))
    };
    let got = pick(&pg, Some("postgres://flag/db"), Some("postgres://env/db")).unwrap();
    assert_eq!(got, ("postgres://flag/db".into(), UrlSource::Flag));
    let got = pick(&pg, None, Some("postgres://env/db")).unwrap();
    assert_eq!(got, ("postgres://env/db".into(), UrlSource::Env));
    let got = pick(&pg, None, None).unwrap();
    assert_eq!(got.1, UrlSource::Config(dir.path().join("migrate.toml")));
    let dotenv = dir.path().join(".env");
    std::fs::write(
        &dotenv,
        "# local\nexport DATABASE_URL=\"postgres://dotenv/db\"\n",
    )
    .unwrap();
    let got = pick(&pg, None, None).unwrap();
    assert_eq!(
        got,
        (
            "postgres://dotenv/db".into(),
            UrlSource::DotEnv(dotenv.clone())
        )
    );
    std::fs::remove_file(&dotenv).unwrap();

    let lite = config(Dialect::Sqlite, None, dir.path());
    let target = resolve_url(&lite, None, None, cwd).unwrap();
    assert_eq!(
        target.source,
        UrlSource::DefaultFile(dir.path().join("dev.db"))
    );
    assert!(target.url.ends_with("dev.db?mode=rwc"), "{}", target.url);

    let err = pick(&config(Dialect::Postgres, None, dir.path()), None, None)
        .unwrap_err()
        .to_string();
    for place in [
        "--url",
        "DATABASE_URL",
        ".env",
        "database_url",
        "migrate.toml",
    ] {
        assert!(err.contains(place), "{place} missing from: {err}");
    }
}

/// `DATABASE_URL` read from a `.env` holding `text`, as sqlx-cli reads it.
fn dotenv(text: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    std::fs::write(&path, text).unwrap();
    read_dotenv(&path).unwrap()
}

#[test]
fn dotenv_lines() {
    let check = |text: &str, expect: Option<&str>| {
        assert_eq!(dotenv(text).as_deref(), expect, "{text:?}");
    };
    check("DATABASE_URL=postgres://a/b\n", Some("postgres://a/b"));
    check(
        "DATABASE_URL = 'sqlite://x.db' # note\n",
        Some("sqlite://x.db"),
    );
    check("DATABASE_URL=sqlite://x.db # note\n", Some("sqlite://x.db"));
    check("OTHER=1\n#DATABASE_URL=x\n", None);
    check("DATABASE_URL=\n", None);
}

#[test]
fn dotenv_is_read_as_sqlx_cli_reads_it() {
    // Substitution of earlier keys, `export`, double quotes with escapes; the first wins, as
    // sqlx-cli (dotenvy) sets a variable only once.
    let text = "export DB_USER=app\nDB_HOST=\"db.local\"\n\
                DATABASE_URL=\"postgres://${DB_USER}@${DB_HOST}:5432/shop\"\n\
                DATABASE_URL=postgres://later/db\n";
    assert_eq!(
        dotenv(text).as_deref(),
        Some("postgres://app@db.local:5432/shop")
    );
    let text = "DATABASE_URL='postgres://u@h/db?application_name=a b'\n";
    assert_eq!(
        dotenv(text).as_deref(),
        Some("postgres://u@h/db?application_name=a b")
    );
}

/// A line that cannot be read is named by number, never shown: it may hold a secret (found in
/// review: dotenvy's error quotes the line, and an unclosed quote swallows the lines after it).
#[test]
fn a_dotenv_line_that_cannot_be_read_is_named_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    let text =
        "# settings\nDATABASE_URL=\"postgres://bob:hunter2@h/db?password=hunter3\nOTHER=s3cret\n";
    std::fs::write(&path, text).unwrap();
    let message = read_dotenv(&path).unwrap_err().to_string();
    assert!(
        message.contains(".env:2: the line is not KEY=VALUE"),
        "{message}"
    );
    for secret in ["hunter2", "hunter3", "s3cret"] {
        assert!(!message.contains(secret), "{message}");
    }
}

#[test]
fn passwords_are_redacted() {
    assert_eq!(
        redact("postgres://u:secret@h:5432/db"),
        "postgres://u:***@h:5432/db"
    );
    assert_eq!(redact("postgres://u@h/db?x=1"), "postgres://u@h/db?x=1");
    assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    assert_eq!(redact("sqlite://dev.db"), "sqlite://dev.db");
    assert_eq!(redact("bogus"), "bogus");
}

#[test]
fn secrets_in_the_query_string_are_redacted() {
    let shown = redact("postgres://u@h/db?sslmode=disable&password=hunter2");
    assert_eq!(shown, "postgres://u@h/db?sslmode=disable&password=***");
    let shown = redact("mysql://u:p@h/db?Password=hunter2&auth_token=t0k");
    assert!(
        !shown.contains("hunter2") && !shown.contains("t0k"),
        "{shown}"
    );
    assert!(!shown.contains(":p@"), "{shown}");
    let shown = redact("postgres://u:hunter2@h:notaport/db");
    assert!(!shown.contains("hunter2"), "{shown}");
}
