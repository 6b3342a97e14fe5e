//! `check --since <git-ref>`: the migration files added or modified since a git ref (since
//! where the work tree's branch left it), asked of `git` (a subprocess, run in the config's
//! directory), so that only they gate.

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

/// The `.sql` files under `out` changed since a ref, by name (`<tag>.sql`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Added since the ref (committed, staged, in the work tree, or not yet tracked).
    pub added: BTreeSet<String>,
    /// Present at the ref and modified since: already merged, so maybe applied somewhere.
    pub modified: BTreeSet<String>,
}

impl Changed {
    /// Every file added or modified: those gate.
    pub fn all(&self) -> BTreeSet<String> {
        self.added.union(&self.modified).cloned().collect()
    }
}

/// The `.sql` files under `out` added or modified between `reference` (its merge base with
/// `HEAD`, so what the ref's branch did meanwhile counts not) and the work tree, uncommitted
/// changes included, and those not yet tracked at all.
pub fn changed_since(dir: &Path, out: &Path, reference: &str) -> Result<Changed, SinceError> {
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
    // Where this branch left the ref: a file the ref's branch changed later is not this one's.
    let base = git(&["merge-base", &commit, "HEAD"])?;
    let base = match base.status.success() {
        true => String::from_utf8_lossy(&base.stdout).trim().to_string(),
        false => commit,
    };
    let out = out.to_string_lossy();
    let diff = git(&[
        "diff",
        "--name-status",
        "--no-renames",
        "--diff-filter=AM",
        &base,
        "--",
        &out,
    ])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "--", &out])?;
    let mut changed = Changed::default();
    for listed in [&diff, &untracked] {
        if !listed.status.success() {
            return Err(SinceError::Diff {
                reference: reference.to_string(),
                stderr: stderr(listed),
            });
        }
        for line in String::from_utf8_lossy(&listed.stdout).lines() {
            // `M\tpath` from the diff, a bare path (added) from ls-files.
            let (status, path) = line.split_once('\t').unwrap_or(("A", line));
            let name = path.rsplit('/').next().unwrap_or(path);
            if !name.ends_with(".sql") {
                continue;
            }
            match status {
                "M" => changed.modified.insert(name.to_string()),
                _ => changed.added.insert(name.to_string()),
            };
        }
    }
    Ok(changed)
}
