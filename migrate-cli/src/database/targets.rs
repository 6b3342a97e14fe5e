//! The URLs of a named target (`--target <name>`, `[targets.<name>]` in `migrate.toml`): its
//! `url`, the environment variable `url_env` names, or the lines of its `url_file` (a fleet
//! when there are several).

use super::{resolve_url, shown, DatabaseError, Target, UrlSource};
use crate::config::{Config, TargetConfig};
use crate::Env;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a target's URL came from: the config and the key of its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPlace {
    pub config: PathBuf,
    pub url: TargetUrl,
}

/// Which key of a target's table gave its URL.
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

/// [`resolve_all`] where `--url` may be given several times (`migrate` and `status`): several
/// are a fleet, each taken as a single `--url` is.
pub fn resolve_urls(
    config: &Config,
    (urls, target): (&[String], Option<&str>),
    env: &Env,
    cwd: &Path,
) -> Result<Vec<Target>, DatabaseError> {
    let all = match urls.len() {
        0 | 1 => resolve_all(config, (urls.first().map(String::as_str), target), env, cwd)?,
        _ if target.is_some() => return Err(DatabaseError::UrlAndTarget),
        _ => urls
            .iter()
            .map(|url| resolve_url(config, Some(url), None, cwd))
            .collect::<Result<_, _>>()?,
    };
    refuse_twice(&all)?;
    Ok(all)
}

/// A database listed twice in a fleet would be migrated by two runs at once.
fn refuse_twice(all: &[Target]) -> Result<(), DatabaseError> {
    for (i, target) in all.iter().enumerate() {
        if let Some(first) = all[..i].iter().find(|t| t.url == target.url) {
            return Err(DatabaseError::FleetTwice {
                url: super::redact(&target.url),
                first: first.source.to_string(),
                second: target.source.to_string(),
            });
        }
    }
    Ok(())
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
            from: Box::new(TargetPlace {
                config: config.path.clone(),
                url: from,
            }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn config(dir: &Path, targets: &str) -> Config {
        let text = format!("dialect = \"postgres\"\nschema = [\"s\"]\n{targets}");
        crate::config::parse(&dir.join("migrate.toml"), &text).unwrap()
    }

    fn env(vars: &[(&str, &str)]) -> Env {
        let map: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Env::Fixed(map)
    }

    #[test]
    fn url_files_skip_blank_lines_and_comments() {
        let text = "# tenants\n\n  postgres://a/x  \n#postgres://old/x\npostgres://b/y#frag\n";
        assert_eq!(
            url_lines(text),
            [(3, "postgres://a/x"), (5, "postgres://b/y#frag")]
        );
    }

    #[test]
    fn each_way_of_naming_the_database_is_said() {
        let dir = Path::new("/app");
        let c = config(
            dir,
            "[targets.a]\nurl = \"postgres://u:pw@h/a\"\n[targets.b]\nurl_env = \"B_URL\"\n",
        );
        let vars = env(&[
            ("B_URL", "postgres://h/b"),
            ("DATABASE_URL", "postgres://h/d"),
        ]);
        let one = |t| resolve_one(&c, (None, Some(t)), &vars, dir, "status").unwrap();
        let a = one("a");
        assert_eq!(a.url, "postgres://u:pw@h/a");
        assert_eq!(a.base, dir);
        assert_eq!(a.source.to_string(), "target a (url in /app/migrate.toml)");
        assert_eq!(a.source.target_name(), Some("a"));
        assert!(a.source.is_explicit());
        assert_eq!(
            one("b").source.to_string(),
            "target b (the B_URL environment variable, url_env in /app/migrate.toml)"
        );
        // Without --target, DATABASE_URL as before.
        let d = resolve_one(&c, (None, None), &vars, dir, "status").unwrap();
        assert_eq!(
            (d.url.as_str(), d.source),
            ("postgres://h/d", UrlSource::Env)
        );
        let both = resolve_all(&c, (Some("postgres://h/x"), Some("a")), &vars, dir);
        assert!(matches!(both, Err(DatabaseError::UrlAndTarget)));
    }

    #[test]
    fn a_fleet_is_refused_where_it_is_not_supported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.txt"), "postgres://h/a\npostgres://h/b\n").unwrap();
        let c = config(dir.path(), "[targets.t]\nurl_file = \"t.txt\"\n");
        let all = resolve_all(&c, (None, Some("t")), &env(&[]), dir.path()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            all[1].source.to_string(),
            format!(
                "target t (t.txt:2, url_file in {})",
                dir.path().join("migrate.toml").display()
            )
        );
        let err = resolve_one(&c, (None, Some("t")), &env(&[]), dir.path(), "verify")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("target t is a fleet of 2 databases"),
            "{err}"
        );
        assert!(err.contains("verify does not work on fleets yet"), "{err}");
    }

    #[test]
    fn a_database_listed_twice_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = "postgres://u:pw@h/a\npostgres://h/b\npostgres://u:pw@h/a\n";
        std::fs::write(dir.path().join("t.txt"), file).unwrap();
        let c = config(dir.path(), "[targets.t]\nurl_file = \"t.txt\"\n");
        let err = resolve_urls(&c, (&[], Some("t")), &env(&[]), dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("database postgres://u:***@h/a is listed twice in a fleet (target t (t.txt:1, url_file in"), "{err}");
        assert!(err.contains("and target t (t.txt:3, url_file in"), "{err}");
        let urls = ["sqlite://a.db".to_string(), "sqlite://a.db".to_string()];
        let err = resolve_urls(&c, (&urls, None), &env(&[]), dir.path()).unwrap_err();
        assert!(matches!(err, DatabaseError::FleetTwice { .. }), "{err}");
        let one = resolve_urls(&c, (&urls[..1], None), &env(&[]), dir.path()).unwrap();
        assert_eq!(one.len(), 1);
    }
}
