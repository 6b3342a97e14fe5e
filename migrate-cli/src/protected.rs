//! Protected targets (`protected = true` in `[targets.<name>]`): `migrate` and `revert` ask the
//! user to type the target's name on a terminal, after showing what would run; without a
//! terminal they need `--yes`. Never silently.

use crate::config::{Config, TargetConfig};
use crate::database::Target;
use crate::prompt::Prompt;

/// Why a protected target was left alone.
#[derive(Debug, thiserror::Error)]
pub enum Unconfirmed {
    #[error("target {name} is protected and there is no terminal to type its name on: pass --yes to {command} it without asking (look first with {command} --dry-run); nothing was {done}")]
    NoTerminal {
        name: String,
        command: &'static str,
        done: &'static str,
    },
    #[error("{typed:?} is not the name of target {name}: nothing was {done}; type the name exactly to {command} it")]
    WrongName {
        name: String,
        typed: String,
        command: &'static str,
        done: &'static str,
    },
    #[error("cancelled: nothing was {done}")]
    Cancelled { done: &'static str },
    #[error("cannot ask on the terminal: {error}; pass --yes to {command} target {name} without asking; nothing was {done}")]
    Prompt {
        name: String,
        error: std::io::Error,
        command: &'static str,
        done: &'static str,
    },
}

/// The target's table when `target` came from `--target` and that target is protected.
pub fn protected<'a>(config: &'a Config, target: &Target) -> Option<(&'a str, &'a TargetConfig)> {
    let name = target.source.target_name()?;
    let (name, table) = config.targets.get_key_value(name)?;
    table.protected.then_some((name.as_str(), table))
}

/// What a command does, for the question and the refusals: `("migrate", "applied")`.
pub type Action = (&'static str, &'static str);

/// Asks the user to type `name` (the listing of what would run is already printed); `yes`
/// answers without asking.
pub fn confirm<'p>(
    prompt: Option<&mut (dyn Prompt + 'p)>,
    name: &str,
    what: &str,
    yes: bool,
    (command, done): Action,
) -> Result<(), Unconfirmed> {
    if yes {
        return Ok(());
    }
    let Some(prompt) = prompt else {
        return Err(Unconfirmed::NoTerminal {
            name: name.to_string(),
            command,
            done,
        });
    };
    let question = format!("target {name} ({what}) is protected: type its name to {command} it");
    let typed = prompt
        .input(&question)
        .map_err(|error| Unconfirmed::Prompt {
            name: name.to_string(),
            error,
            command,
            done,
        })?;
    match typed {
        None => Err(Unconfirmed::Cancelled { done }),
        Some(typed) if typed.trim() == name => Ok(()),
        Some(typed) => Err(Unconfirmed::WrongName {
            name: name.to_string(),
            typed,
            command,
            done,
        }),
    }
}
