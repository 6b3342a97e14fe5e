//! All-or-nothing file writes: a set of new and replaced files that lands completely or not at
//! all.
//!
//! Every file is first written to a temporary name in its own directory and synced; only then
//! are they moved into place, new files first (never over an existing file) and replaced files
//! last. Any failure removes the temporaries, the files already moved, the directories this
//! set created, and restores replaced files, so a folder is never left half-written.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A failed commit; nothing it planned was left behind.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path} already exists: refusing to overwrite it (nothing was written)", path = path.display())]
    Exists { path: PathBuf },
    #[error("cannot write {path}: {source} (nothing was written)", path = path.display())]
    Io { path: PathBuf, source: io::Error },
}

#[derive(Debug)]
struct Planned {
    path: PathBuf,
    contents: Vec<u8>,
    /// Replace an existing file (else the file must not exist yet).
    replace: bool,
}

/// Files to write together.
#[derive(Debug, Default)]
pub struct WriteSet {
    files: Vec<Planned>,
}

/// What a commit has done so far, to undo on failure.
#[derive(Default)]
struct Undo {
    dirs: Vec<PathBuf>,
    temps: Vec<PathBuf>,
    created: Vec<PathBuf>,
    /// Replaced files and their previous contents (`None`: there was no file).
    replaced: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl WriteSet {
    pub fn new() -> WriteSet {
        WriteSet::default()
    }

    /// A new file; the commit fails if `path` exists.
    pub fn create(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files.push(Planned {
            path: path.into(),
            contents: contents.into(),
            replace: false,
        });
    }

    /// A file written whether or not it exists.
    pub fn replace(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files.push(Planned {
            path: path.into(),
            contents: contents.into(),
            replace: true,
        });
    }

    /// The paths this set writes, in the order given.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    /// Writes every file, or none.
    pub fn commit(mut self) -> Result<(), WriteError> {
        for file in self.files.iter().filter(|f| !f.replace) {
            if file.path.exists() {
                return Err(WriteError::Exists {
                    path: file.path.clone(),
                });
            }
        }
        // New files first, replacements last: a replaced journal is the commit point.
        self.files.sort_by_key(|f| f.replace);
        let mut undo = Undo::default();
        match self.stage(&mut undo).and_then(|()| self.install(&mut undo)) {
            Ok(()) => {
                self.sync_dirs();
                Ok(())
            }
            Err(err) => {
                undo.roll_back();
                Err(err)
            }
        }
    }

    fn stage(&self, undo: &mut Undo) -> Result<(), WriteError> {
        let mut written = Vec::new();
        for file in &self.files {
            let dir = parent(&file.path);
            create_dirs(dir, undo).map_err(|source| WriteError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            let temp = temp_path(&file.path);
            let handle = write_temp(&temp, &file.contents, undo);
            let handle = handle.map_err(|source| WriteError::Io {
                path: file.path.clone(),
                source,
            })?;
            written.push((handle, &file.path));
        }
        // The files reach the disk together: one thread per file waits for its sync.
        let synced: Vec<(io::Result<()>, &PathBuf)> = std::thread::scope(|s| {
            let waits: Vec<_> = written
                .iter()
                .map(|(handle, path)| (s.spawn(move || handle.sync_all()), *path))
                .collect();
            waits
                .into_iter()
                .map(|(wait, path)| {
                    let result = wait.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
                    (result, path)
                })
                .collect()
        });
        for (result, path) in synced {
            result.map_err(|source| WriteError::Io {
                path: path.clone(),
                source,
            })?;
        }
        Ok(())
    }

    fn install(&self, undo: &mut Undo) -> Result<(), WriteError> {
        for file in &self.files {
            let temp = temp_path(&file.path);
            let io_err = |source| WriteError::Io {
                path: file.path.clone(),
                source,
            };
            if file.replace {
                let previous = match fs::read(&file.path) {
                    Ok(bytes) => Some(bytes),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                    Err(e) => return Err(io_err(e)),
                };
                fs::rename(&temp, &file.path).map_err(io_err)?;
                undo.temps.retain(|t| t != &temp);
                undo.replaced.push((file.path.clone(), previous));
            } else {
                link_new(&temp, &file.path).map_err(|e| match e.kind() {
                    io::ErrorKind::AlreadyExists => WriteError::Exists {
                        path: file.path.clone(),
                    },
                    _ => io_err(e),
                })?;
                undo.created.push(file.path.clone());
                let _ = fs::remove_file(&temp);
                undo.temps.retain(|t| t != &temp);
            }
        }
        Ok(())
    }

    /// Makes the renames durable; best effort, as not every platform can sync a directory.
    fn sync_dirs(&self) {
        let mut dirs: Vec<&Path> = self.files.iter().map(|f| parent(&f.path)).collect();
        dirs.sort();
        dirs.dedup();
        std::thread::scope(|s| {
            for dir in dirs {
                s.spawn(move || {
                    if let Ok(dir) = File::open(dir) {
                        let _ = dir.sync_all();
                    }
                });
            }
        });
    }
}

impl Undo {
    fn roll_back(self) {
        for temp in &self.temps {
            let _ = fs::remove_file(temp);
        }
        for path in &self.created {
            let _ = fs::remove_file(path);
        }
        for (path, previous) in self.replaced.iter().rev() {
            let _ = match previous {
                Some(bytes) => fs::write(path, bytes),
                None => fs::remove_file(path),
            };
        }
        for dir in self.dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.<name>.<pid>.<thread>.tmp` beside `path`: unique to this process and thread (two threads
/// of one process may each write the same file; one thread commits one set at a time).
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = name.unwrap_or_default();
    let pid = std::process::id();
    parent(path).join(format!(".{name}.{pid}.{}.tmp", thread_number()))
}

/// The current thread's number, as its `ThreadId` prints it (`ThreadId(7)` gives `7`).
pub fn thread_number() -> String {
    let id = format!("{:?}", std::thread::current().id());
    id.chars().filter(char::is_ascii_digit).collect()
}

/// Creates `dir` and its missing ancestors, recording each one created.
fn create_dirs(dir: &Path, undo: &mut Undo) -> io::Result<()> {
    undo.dirs.extend(create_missing_dirs(dir)?);
    Ok(())
}

/// Creates `dir` and its missing ancestors, giving the ones this call created (one another
/// process created meanwhile is not among them).
pub(crate) fn create_missing_dirs(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.as_os_str().is_empty() || d.is_dir() {
            break;
        }
        missing.push(d.to_path_buf());
        cur = d.parent();
    }
    let mut created = Vec::new();
    for d in missing.into_iter().rev() {
        match fs::create_dir(&d) {
            Ok(()) => created.push(d),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}

/// Writes `temp` (a new file) and returns it open, for the caller to sync.
fn write_temp(temp: &Path, contents: &[u8], undo: &mut Undo) -> io::Result<File> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(temp)?;
    undo.temps.push(temp.to_path_buf());
    file.write_all(contents)?;
    Ok(file)
}

/// Moves `temp` to `target` without ever replacing an existing `target`: a hard link fails
/// atomically when the target exists. Filesystems without hard links fall back to a checked
/// rename.
fn link_new(temp: &Path, target: &Path) -> io::Result<()> {
    match fs::hard_link(temp, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            if target.exists() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            fs::rename(temp, target)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `dir`, relative, sorted.
    fn tree(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if path.is_dir() {
                    out.push(format!("{rel}/"));
                    stack.push(path);
                } else {
                    out.push(rel);
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn writes_every_file_and_creates_directories() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("migrations");
        let mut set = WriteSet::new();
        set.create(out.join("1_a.sql"), "select 1;\n");
        set.replace(out.join("meta/_journal.json"), "{}\n");
        set.create(out.join("meta/1_snapshot.json"), "{}\n");
        set.commit().unwrap();
        assert_eq!(
            tree(dir.path()),
            [
                "migrations/",
                "migrations/1_a.sql",
                "migrations/meta/",
                "migrations/meta/1_snapshot.json",
                "migrations/meta/_journal.json"
            ]
        );
        assert_eq!(
            fs::read_to_string(out.join("1_a.sql")).unwrap(),
            "select 1;\n"
        );
    }

    #[test]
    fn an_existing_file_is_never_overwritten_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("meta")).unwrap();
        fs::write(dir.path().join("meta/1_snapshot.json"), "old").unwrap();
        let mut set = WriteSet::new();
        set.create(dir.path().join("1_a.sql"), "new");
        set.create(dir.path().join("meta/1_snapshot.json"), "new");
        let err = set.commit().unwrap_err();
        assert!(matches!(err, WriteError::Exists { .. }), "{err}");
        assert!(err
            .to_string()
            .ends_with("already exists: refusing to overwrite it (nothing was written)"));
        assert_eq!(tree(dir.path()), ["meta/", "meta/1_snapshot.json"]);
        assert_eq!(
            fs::read_to_string(dir.path().join("meta/1_snapshot.json")).unwrap(),
            "old"
        );
    }

    #[test]
    fn a_failure_while_installing_rolls_everything_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("migrations");
        // The journal's place is taken by a non-empty directory, so replacing it fails after
        // the new files are already in place.
        fs::create_dir_all(out.join("meta/_journal.json/blocker")).unwrap();
        fs::write(out.join("meta/keep.json"), "keep").unwrap();
        let before = tree(dir.path());
        let mut set = WriteSet::new();
        set.replace(out.join("meta/_journal.json"), "{}\n");
        set.create(out.join("new/deeper/1_a.sql"), "select 1;\n");
        set.create(out.join("meta/1_snapshot.json"), "{}\n");
        let err = set.commit().unwrap_err();
        assert!(matches!(err, WriteError::Io { .. }), "{err}");
        assert!(err.to_string().contains("_journal.json"), "{err}");
        assert_eq!(tree(dir.path()), before);
    }

    #[test]
    fn a_failure_while_staging_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        // `meta` is a file, so the snapshot's directory cannot be created.
        fs::write(dir.path().join("meta"), "not a directory").unwrap();
        let mut set = WriteSet::new();
        set.create(dir.path().join("1_a.sql"), "select 1;\n");
        set.create(dir.path().join("meta/1_snapshot.json"), "{}\n");
        assert!(set.commit().is_err());
        assert_eq!(tree(dir.path()), ["meta"]);
    }

    #[test]
    fn replacing_restores_the_previous_contents_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.json"), "before").unwrap();
        fs::create_dir_all(dir.path().join("b.json/x")).unwrap();
        let mut set = WriteSet::new();
        set.replace(dir.path().join("a.json"), "after");
        set.replace(dir.path().join("b.json"), "after");
        assert!(set.commit().is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("a.json")).unwrap(),
            "before"
        );
        assert_eq!(tree(dir.path()), ["a.json", "b.json/", "b.json/x/"]);
    }
}
