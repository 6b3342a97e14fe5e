//! `[targets.<name>]` tables: what is read, and each refusal with its place.

use super::super::{parse, PROTECTED_LOCK_TIMEOUT};
use super::*;
use std::path::PathBuf;

const BASE: &str = "dialect = \"postgres\"\nschema = [\"s\"]\n";

fn targets(tables: &str) -> BTreeMap<String, TargetConfig> {
    let text = format!("{BASE}{tables}");
    match parse(Path::new("/app/migrate.toml"), &text) {
        Ok(config) => config.targets,
        Err(e) => panic!("{e}"),
    }
}

fn check_err(tables: &str, expect: &str) {
    let text = format!("{BASE}{tables}");
    let err = parse(Path::new("/app/migrate.toml"), &text)
        .unwrap_err()
        .to_string();
    assert!(err.contains(expect), "expected {expect:?} in:\n{err}");
}

#[test]
fn the_issue_example_reads() {
    let got = targets(
        "[targets.staging]\nurl_env = \"STAGING_DATABASE_URL\"\n\n\
         [targets.production]\nurl_env = \"PRODUCTION_DATABASE_URL\"\nprotected = true\n\
         lock_timeout = \"3s\"\nstatement_timeout = \"15min\"\nretries = 3\n\n\
         [targets.tenants]\nurl_file = \"db/tenants.txt\"\n",
    );
    assert_eq!(got.len(), 3);
    let staging = &got["staging"];
    assert_eq!(staging.url_env.as_deref(), Some("STAGING_DATABASE_URL"));
    assert!(!staging.protected);
    assert_eq!(staging.retries, 0);
    assert_eq!(staging.effective_lock_timeout(), None);
    let production = &got["production"];
    assert!(production.protected);
    assert_eq!(production.lock_timeout, Some(Duration::from_secs(3)));
    assert_eq!(
        production.effective_lock_timeout(),
        Some(Duration::from_secs(3))
    );
    assert_eq!(production.statement_timeout, Some(Duration::from_secs(900)));
    assert_eq!(production.retries, 3);
    assert_eq!(
        got["tenants"].url_file,
        Some(PathBuf::from("/app/db/tenants.txt"))
    );
}

#[test]
fn a_protected_target_waits_five_seconds_for_a_lock_by_default() {
    let got = targets("[targets.p]\nurl = \"postgres://h/db\"\nprotected = true\n");
    assert_eq!(got["p"].lock_timeout, None);
    assert_eq!(
        got["p"].effective_lock_timeout(),
        Some(PROTECTED_LOCK_TIMEOUT)
    );
    assert_eq!(PROTECTED_LOCK_TIMEOUT, Duration::from_secs(5));
    let got = targets("[targets.p]\nurl = \"postgres://h/db\"\nlock_timeout = \"500ms\"\n");
    assert_eq!(
        got["p"].effective_lock_timeout(),
        Some(Duration::from_millis(500))
    );
}

#[test]
fn durations_read_as_humans_write_them() {
    for (text, expect) in [
        ("3s", Duration::from_secs(3)),
        ("500ms", Duration::from_millis(500)),
        ("15min", Duration::from_secs(900)),
        ("1h 30m", Duration::from_secs(5400)),
        (" 2s ", Duration::from_secs(2)),
        ("0s", Duration::ZERO),
    ] {
        assert_eq!(parse_duration(text), Ok(expect), "{text}");
    }
    for bad in ["3", "three seconds", "", "-1s", "5 parsecs"] {
        assert!(parse_duration(bad).is_err(), "{bad}");
    }
}

#[test]
fn bad_durations_are_named_with_their_key_and_place() {
    check_err(
        "[targets.production]\nurl = \"postgres://h/db\"\nlock_timeout = \"3\"\n",
        "/app/migrate.toml:5:16: targets.production.lock_timeout: \"3\" is not a duration",
    );
    check_err(
        "[targets.p]\nurl = \"postgres://h/db\"\nstatement_timeout = \"soon\"\n",
        "targets.p.statement_timeout: \"soon\" is not a duration",
    );
    check_err(
        "[targets.p]\nurl = \"postgres://h/db\"\nlock_timeout = 3\n",
        "/app/migrate.toml:5:16: invalid type: integer `3`, expected a string",
    );
}

#[test]
fn unknown_keys_are_named_with_the_known_ones() {
    check_err(
        "[targets.p]\nurl = \"postgres://h/db\"\nprotect = true\n",
        "/app/migrate.toml:5:1: unknown field `protect`, expected one of `url`, `url_env`, `url_file`, `protected`",
    );
}

#[test]
fn one_source_of_urls_exactly() {
    check_err(
        "[targets.p]\nurl = \"postgres://h/db\"\nurl_env = \"P_URL\"\n",
        "/app/migrate.toml:5:11: [targets.p] gives both url and url_env: keep one of url, url_env and url_file",
    );
    check_err(
        "[targets.p]\nurl_env = \"P_URL\"\nurl_file = \"urls.txt\"\n",
        "[targets.p] gives both url_env and url_file",
    );
    check_err(
        "[targets.p]\nprotected = true\n",
        "[targets.p] names no database: give one of url, url_env",
    );
    check_err(
        "[targets.p]\nurl_env = \" \"\n",
        "/app/migrate.toml:4:11: targets.p.url_env is empty: write the name of the environment variable",
    );
    check_err("[targets.p]\nurl = \"x\"\nretries = -1\n", "targets");
}

#[test]
fn a_config_without_targets_has_none() {
    assert!(targets("").is_empty());
    assert!(targets("[targets]\n").is_empty());
}
