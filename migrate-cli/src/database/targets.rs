//! The URLs of a named target (`--target <name>`, `[targets.<name>]` in `migrate.toml`): its
//! `url`, the environment variable `url_env` names, or the lines of its `url_file` (a fleet
//! when there are several).

use super::{resolve_url, shown, DatabaseError, Target, UrlSource};
use crate::config::{Config, TargetConfig};
use crate::Env;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a target's table its URL came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetUrl {
    /// `url = "..."`.
    Url,
    /// `url_env = "VAR"`: the variable's name.
    Env(String),
    /// `url_file = "..."`: the file and the 1-based line of the URL.
    File { path: PathBuf, line: usize },
}

impl fmt::Display for TargetUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetUrl::Url => f.write_str("its url"),
            TargetUrl::Env(var) => write!(f, "the {var} environment variable"),
            TargetUrl::File { path, line } => write!(f, "{}:{line}", path.display()),
        }
    }
}

/// The database of a command that works on one: `--target` (a fleet refused, naming
/// `command`), else [`resolve_url`] with `--url`.
pub fn resolve_one(
    config: &Config,
    (url, target): (Option<&str>, Option<&str>),
    env: &Env,
    cwd: &Path,
    command: &'static str,
) -> Result<Target, DatabaseError> {
    let mut all = resolve_all(config, (url, target), env, cwd)?;
    match all.len() {
        1 => Ok(all.remove(0)),
        count => Err(DatabaseError::Fleet {
            name: target.unwrap_or_default().to_string(),
            count,
            command,
        }),
    }
}

/// Every database of `--target` (several for a fleet), else the one of [`resolve_url`].
pub fn resolve_all(
    config: &Config,
    (url, target): (Option<&str>, Option<&str>),
    env: &Env,
    cwd: &Path,
) -> Result<Vec<Target>, DatabaseError> {
    let Some(name) = target else {
        return Ok(vec![resolve_url(
            config,
            url,
            env.var(super::ENV_VAR),
            cwd,
        )?]);
    };
    if url.is_some() {
        return Err(DatabaseError::UrlAndTarget);
    }
    let Some(table) = config.targets.get(name) else {
        return Err(DatabaseError::UnknownTarget {
            name: name.to_string(),
            config: shown(cwd, &config.path),
            known: known(config),
        });
    };
    named(config, name, table, env, cwd)
}

fn known(config: &Config) -> String {
    match config.targets.is_empty() {
        true => "it has no [targets.<name>] table".to_string(),
        false => {
            let names: Vec<&str> = config.targets.keys().map(String::as_str).collect();
            format!("its targets are {}", names.join(", "))
        }
    }
}

/// The URLs of target `name`. They are all written in or beside `migrate.toml`, so relative
/// SQLite paths are taken from its directory.
fn named(
    config: &Config,
    name: &str,
    table: &TargetConfig,
    env: &Env,
    cwd: &Path,
) -> Result<Vec<Target>, DatabaseError> {
    let base = config.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let at = |url: String, from: TargetUrl| Target {
        url,
        source: UrlSource::Target {
            name: name.to_string(),
            config: config.path.clone(),
            from,
        },
        base: base.clone(),
    };
    if let Some(url) = &table.url {
        return Ok(vec![at(url.clone(), TargetUrl::Url)]);
    }
    if let Some(var) = &table.url_env {
        return match env.var(var).filter(|v| !v.trim().is_empty()) {
            Some(url) => Ok(vec![at(url, TargetUrl::Env(var.clone()))]),
            None => Err(DatabaseError::TargetEnvUnset {
                name: name.to_string(),
                var: var.clone(),
                config: shown(cwd, &config.path),
            }),
        };
    }
    let Some(path) = &table.url_file else {
        // The config refuses a target without a source when it is read.
        return Err(DatabaseError::UnknownTarget {
            name: name.to_string(),
            config: shown(cwd, &config.path),
            known: known(config),
        });
    };
    let file_error = |why: String| DatabaseError::TargetFile {
        name: name.to_string(),
        file: shown(cwd, path),
        config: shown(cwd, &config.path),
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
    let urls = url_lines(&text);
    if urls.is_empty() {
        return Err(file_error(
            "it lists no url (one url a line; blank lines and lines starting with # are skipped)"
                .to_string(),
        ));
    }
    let shown_path = PathBuf::from(shown(cwd, path));
    Ok(urls
        .into_iter()
        .map(|(line, url)| {
            let from = TargetUrl::File {
                path: shown_path.clone(),
                line,
            };
            at(url.to_string(), from)
        })
        .collect())
}

/// The URLs of a `url_file` with their 1-based lines: one a line, trimmed; blank lines and
/// lines starting with `#` skipped (a `#` later in a line is part of the URL).
pub fn url_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .collect()
}
