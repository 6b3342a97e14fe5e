//! `secret-in-config`: a literal URL in `migrate.toml` (`database_url`, or a target's `url`)
//! that holds a password, which then lives in the repository; `url_env` and `url_file` keep
//! secrets out of it.

use crate::config::Config;
use crate::database::holds_secret;
use crate::verdict::Problem;

/// The code of the warning.
pub const SECRET_IN_CONFIG: &str = "secret-in-config";

/// One warning per URL of `config` (shown as `shown`) that holds a secret.
pub fn secrets_in_config(config: &Config, shown: &str) -> Vec<Problem> {
    let mut found = Vec::new();
    if config.database_url.as_deref().is_some_and(holds_secret) {
        found.push(Problem::new(
            SECRET_IN_CONFIG,
            format!("{shown}: database_url holds a password, which is then in the repository: remove it and set DATABASE_URL in the environment (or in a .env file that git ignores) instead, or name the database as a target with url_env or url_file"),
        ));
    }
    for (name, target) in &config.targets {
        if target.url.as_deref().is_some_and(holds_secret) {
            found.push(Problem::new(
                SECRET_IN_CONFIG,
                format!("{shown}: [targets.{name}] url holds a password, which is then in the repository: replace it with url_env = \"{}\" (and export that variable where you deploy) or with url_file = \"<a file git ignores>\"", env_name(name)),
            ));
        }
    }
    found
}

/// `production` → `PRODUCTION_DATABASE_URL`.
fn env_name(target: &str) -> String {
    let upper: String = target
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_uppercase(),
            false => '_',
        })
        .collect();
    format!("{upper}_DATABASE_URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names_become_variable_names() {
        assert_eq!(env_name("production"), "PRODUCTION_DATABASE_URL");
        assert_eq!(env_name("eu-west.1"), "EU_WEST_1_DATABASE_URL");
    }

    #[test]
    fn only_urls_with_a_secret_are_named() {
        let text = "dialect = \"postgres\"\nschema = [\"s\"]\n\
                    database_url = \"postgres://app@localhost/app\"\n\
                    [targets.a]\nurl = \"postgres://app:hunter2@db/app\"\n\
                    [targets.b]\nurl = \"postgres://app@db/app?sslmode=require\"\n\
                    [targets.c]\nurl = \"mysql://db/app?password=hunter2\"\n\
                    [targets.d]\nurl_env = \"D_URL\"\n";
        let config = crate::config::parse(std::path::Path::new("/app/migrate.toml"), text).unwrap();
        let found = secrets_in_config(&config, "migrate.toml");
        let names: Vec<&str> = found.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(found.len(), 2, "{names:#?}");
        assert!(names[0].starts_with("migrate.toml: [targets.a] url holds a password"));
        assert!(names[0].contains("url_env = \"A_DATABASE_URL\""));
        assert!(names[1].starts_with("migrate.toml: [targets.c]"));
        assert!(found.iter().all(|p| !p.message.contains("hunter2")));
        assert!(found.iter().all(|p| p.kind == SECRET_IN_CONFIG));
    }
}
