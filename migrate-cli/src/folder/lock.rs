//! The migrations folder's lock: `generate`, `drop`, `baseline` and `import` hold
//! `<out>/meta/.migrate-cli.lock` exclusively (`flock`, through [`std::fs::File::lock`]) from
//! reading the history to writing the journal, so concurrent runs take turns and the second one
//! sees the first one's migration.
//!
//! The kernel releases the lock when its holder dies. The holder removes the file (and the
//! folders it created for it) before releasing it, so a run that wrote nothing leaves nothing;
//! a waiter that then gets the lock of a removed file opens the file again.

use super::{Folder, FolderError};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The lock file's name inside `meta/` (sqlx reads only `<out>/*.sql`, and the journal lists
/// no such name).
pub const LOCK_FILE: &str = ".migrate-cli.lock";

/// What a run says when it has to wait for the lock file `path` (as shown).
pub fn waiting_message(path: &str) -> String {
    format!("waiting for the lock on {path} held by another command writing the migrations folder")
}

/// An exclusive hold on a migrations folder, released when dropped.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
    /// The folders that were missing when this run looked (whoever created them), innermost
    /// first: removed on release when they are empty.
    created: Vec<PathBuf>,
}

impl Folder {
    /// `meta/.migrate-cli.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.meta().join(LOCK_FILE)
    }

    /// Waits for the folder's lock and takes it.
    pub fn lock(&self) -> Result<FolderLock, FolderError> {
        self.lock_with(|_| {})
    }

    /// [`Folder::lock`], writing [`waiting_message`] once to `stderr` when another run holds it.
    pub fn lock_telling(&self, stderr: &mut dyn Write) -> Result<FolderLock, FolderError> {
        self.lock_with(|path| {
            let _ = writeln!(stderr, "{}", waiting_message(path));
        })
    }

    /// [`Folder::lock`], calling `waiting` with the lock file as shown once when another run
    /// holds it, before waiting.
    pub fn lock_with(&self, mut waiting: impl FnMut(&str)) -> Result<FolderLock, FolderError> {
        let path = self.lock_path();
        let io_err = |source| FolderError::Lock {
            path: self.show(&path),
            source,
        };
        let mut created = Vec::new();
        let mut told = false;
        loop {
            for dir in crate::write_set::create_missing_dirs(&self.meta()).map_err(io_err)? {
                if !created.contains(&dir) {
                    created.push(dir);
                }
            }
            let file = match OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
            {
                Ok(file) => file,
                // A holder removed the folder meanwhile: start again.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_err(e)),
            };
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    if !told {
                        told = true;
                        waiting(&self.show(&path));
                    }
                    file.lock().map_err(io_err)?;
                }
                Err(fs::TryLockError::Error(e)) => return Err(io_err(e)),
            }
            // The holder before removed the file it locked: this lock guards nothing.
            if !same_file(&file, &path).map_err(io_err)? {
                continue;
            }
            // Innermost first, for removing them.
            created.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
            return Ok(FolderLock {
                file,
                path,
                created,
            });
        }
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still held, so no one can lock this file and believe it guards the folder.
        let _ = fs::remove_file(&self.path);
        for dir in &self.created {
            // Only when empty: nothing was written into it, and nobody waits in it.
            let _ = fs::remove_dir(dir);
        }
        let _ = self.file.unlock();
    }
}

/// Whether `path` is still the file `file` opened.
fn same_file(file: &File, path: &Path) -> io::Result<bool> {
    let held = file.metadata()?;
    match fs::metadata(path) {
        Ok(now) => Ok(now.dev() == held.dev() && now.ino() == held.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn a_second_lock_waits_for_the_first_and_nothing_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::new(dir.path().join("migrations"), dir.path());
        let first = folder.lock().unwrap();
        assert!(folder.lock_path().is_file());
        let released = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (folder, released) = (folder.clone(), Arc::clone(&released));
            std::thread::spawn(move || {
                let second = folder.lock().unwrap();
                let after = released.load(Ordering::SeqCst);
                drop(second);
                after
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        released.store(true, Ordering::SeqCst);
        drop(first);
        assert!(
            waiter.join().unwrap(),
            "the second lock was taken while the first was held"
        );
        assert!(
            !dir.path().join("migrations").exists(),
            "the lock left its folders"
        );
    }

    #[test]
    fn a_folder_with_files_keeps_them_and_loses_only_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::new(dir.path().join("migrations"), dir.path());
        let lock = folder.lock().unwrap();
        fs::write(folder.journal_path(), "{}").unwrap();
        drop(lock);
        assert!(folder.journal_path().is_file());
        assert!(!folder.lock_path().exists());
    }
}
