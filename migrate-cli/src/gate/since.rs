//! `check --since <git-ref>`: the migration files added since a git ref, asked of `git` (a
//! subprocess, run in the config's directory), so that only they gate.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Why the files added since a ref cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum SinceError {
    #[error("check --since needs git, which cannot be run: {0}; install git or leave --since out")]
    NoGit(std::io::Error),
    #[error("check --since {reference}: {dir} is not in a git repository ({stderr}); leave --since out or run check inside the repository")]
    NotARepository {
        reference: String,
        dir: String,
        stderr: String,
    },
    #[error("check --since {reference}: git knows no commit by that name ({stderr}); fetch it first (git fetch origin main) or name an existing branch, tag or commit")]
    UnknownRef { reference: String, stderr: String },
    #[error("check --since {reference}: git diff failed: {stderr}")]
    Diff { reference: String, stderr: String },
}

/// The names (`<tag>.sql`) of the `.sql` files under `out` that were added since `reference`:
/// added between the ref and the work tree, or not yet tracked at all.
pub fn added_since(
    dir: &Path,
    out: &Path,
    reference: &str,
) -> Result<BTreeSet<String>, SinceError> {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(dir)
            .args(args)
            .output()
            .map_err(SinceError::NoGit)
    };
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).trim().to_string();
    let inside = git(&["rev-parse", "--git-dir"])?;
    if !inside.status.success() {
        return Err(SinceError::NotARepository {
            reference: reference.to_string(),
            dir: dir.display().to_string(),
            stderr: stderr(&inside),
        });
    }
    let commit = format!("{reference}^{{commit}}");
    let known = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &commit,
    ])?;
    if !known.status.success() {
        return Err(SinceError::UnknownRef {
            reference: reference.to_string(),
            stderr: match stderr(&known) {
                s if s.is_empty() => "not found".to_string(),
                s => s,
            },
        });
    }
    let out = out.to_string_lossy();
    let added = git(&[
        "diff",
        "--name-only",
        "--diff-filter=A",
        &commit,
        "--",
        &out,
    ])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "--", &out])?;
    let mut names = BTreeSet::new();
    for listed in [&added, &untracked] {
        if !listed.status.success() {
            return Err(SinceError::Diff {
                reference: reference.to_string(),
                stderr: stderr(listed),
            });
        }
        for path in String::from_utf8_lossy(&listed.stdout).lines() {
            let name = path.rsplit('/').next().unwrap_or(path);
            if name.ends_with(".sql") {
                names.insert(name.to_string());
            }
        }
    }
    Ok(names)
}
