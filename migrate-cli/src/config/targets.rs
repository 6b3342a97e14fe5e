//! The `[targets.<name>]` tables of `migrate.toml`: where each named database is, whether it is
//! protected, and its lock and statement timeouts, checked as the config is read.

use super::{line_column, normalize, ConfigError, TargetConfig};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

/// One `[targets.<name>]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    url_env: Option<Spanned<String>>,
    #[serde(default)]
    url_file: Option<Spanned<String>>,
    #[serde(default)]
    protected: bool,
    #[serde(default)]
    lock_timeout: Option<Spanned<String>>,
    #[serde(default)]
    statement_timeout: Option<Spanned<String>>,
    #[serde(default)]
    retries: u32,
}

/// The checked targets of a config at `path` whose text is `text`.
pub(super) fn read(
    path: &Path,
    text: &str,
    raw: &BTreeMap<String, Spanned<RawTarget>>,
) -> Result<BTreeMap<String, TargetConfig>, ConfigError> {
    let invalid = |offset: usize, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: Some(line_column(text, offset)),
        message,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut targets = BTreeMap::new();
    for (name, spanned) in raw {
        let table = spanned.get_ref();
        let at = spanned.span().start;
        if name.trim().is_empty() {
            return Err(invalid(
                at,
                "a target needs a name: [targets.<name>]".into(),
            ));
        }
        let sources = [
            ("url", &table.url),
            ("url_env", &table.url_env),
            ("url_file", &table.url_file),
        ];
        let given: Vec<(&str, &Spanned<String>)> = sources
            .iter()
            .filter_map(|(key, value)| value.as_ref().map(|v| (*key, v)))
            .collect();
        match given.as_slice() {
            [] => {
                return Err(invalid(
                    at,
                    format!("[targets.{name}] names no database: give one of url, url_env (an environment variable) or url_file (a file of urls, one a line)"),
                ))
            }
            [_] => {}
            [(first, _), (second, value), ..] => {
                return Err(invalid(
                    value.span().start,
                    format!("[targets.{name}] gives both {first} and {second}: keep one of url, url_env and url_file"),
                ))
            }
        }
        let (key, value) = given[0];
        if value.get_ref().trim().is_empty() {
            return Err(invalid(
                value.span().start,
                format!("targets.{name}.{key} is empty: write the {}", what_of(key)),
            ));
        }
        let duration = |key: &str, value: &Option<Spanned<String>>| match value {
            None => Ok(None),
            Some(v) => parse_duration(v.get_ref())
                .map(Some)
                .map_err(|why| invalid(v.span().start, format!("targets.{name}.{key}: {why}"))),
        };
        targets.insert(
            name.clone(),
            TargetConfig {
                url: table.url.as_ref().map(|v| v.get_ref().clone()),
                url_env: table
                    .url_env
                    .as_ref()
                    .map(|v| v.get_ref().trim().to_string()),
                url_file: table
                    .url_file
                    .as_ref()
                    .map(|v| normalize(&dir.join(v.get_ref()))),
                protected: table.protected,
                lock_timeout: duration("lock_timeout", &table.lock_timeout)?,
                statement_timeout: duration("statement_timeout", &table.statement_timeout)?,
                retries: table.retries,
            },
        );
    }
    Ok(targets)
}

fn what_of(key: &str) -> &'static str {
    match key {
        "url" => "database url",
        "url_env" => "name of the environment variable that holds the url",
        _ => "path of the file that lists the urls",
    }
}

/// `"3s"`, `"500ms"`, `"15min"`, `"1h 30m"` (humantime's syntax): a duration.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|e| {
        format!("{text:?} is not a duration ({e}): write a number and a unit, such as \"500ms\", \"3s\" or \"15min\"")
    })
}

#[cfg(test)]
mod tests;
