//! The source scanner: finds every `#[derive(Table)]` struct, `#[derive(DbEnum)]` enum and
//! `#[derive(Sequence)]` and `#[derive(View)]` struct in the configured files, at any module
//! depth, and reads them with schema-core's one attribute parser, so the CLI sees exactly what
//! the derive compiles. An item deriving what the language has not built yet is refused, as
//! the compiler refuses it. The user's crate is never built.

use crate::item_split;
use schema_core::def::{EnumDef, SequenceDef, TableDef, ViewDef};
use schema_core::model::Schema;
use schema_core::render::Dialect;
use schema_core::{parser, resolve};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use syn::punctuated::Punctuated;
use syn::{Attribute, Item, Token};

/// What one of a dialect's adaptations gives: the schema as it stores it, or what it lacks.
type AdaptResult = Result<Schema, Vec<resolve::ResolveError>>;

/// A place in a source file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as shown to the user.
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// One problem in the schema sources, at its place: `file.rs:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub origin: Option<Origin>,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Some(origin) => write!(f, "{origin}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Every problem found in the schema sources.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScanErrors(pub Vec<SourceError>);

impl fmt::Display for ScanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        let n = self.0.len();
        let s = if n == 1 { "" } else { "s" };
        write!(
            f,
            "\n{n} error{s} in the schema sources; fix them and run generate again"
        )
    }
}

/// The definitions read from the sources, with where each was found.
#[derive(Debug, Default)]
pub struct Scanned {
    pub tables: Vec<TableDef>,
    pub enums: Vec<EnumDef>,
    pub sequences: Vec<SequenceDef>,
    pub views: Vec<ViewDef>,
    /// Where each struct or enum (by Rust name) is declared.
    pub origins: BTreeMap<String, Origin>,
}

impl Scanned {
    /// The schema the definitions describe, as `dialect` stores it; errors point at their
    /// struct or enum. Each adaptation (tables, sequences, views) runs whatever the one before
    /// it found, so every kind `dialect` lacks is reported in one run.
    pub fn resolve_for(&self, dialect: &dyn Dialect) -> Result<Schema, ScanErrors> {
        let mut errors = Vec::new();
        let mut step = |schema: Schema, adapted: &dyn Fn(Schema) -> AdaptResult| {
            adapted(schema.clone()).unwrap_or_else(|found| {
                errors.extend(found);
                schema
            })
        };
        let schema = step(self.resolve()?, &|s| dialect.adapt(s, &self.tables));
        let schema = step(schema, &|s| dialect.adapt_sequences(s, &self.sequences));
        let schema = step(schema, &|s| dialect.adapt_views(s, &self.views));
        match errors.is_empty() {
            true => Ok(schema),
            false => Err(self.located(errors)),
        }
    }

    /// The schema the definitions describe; resolve errors point at their struct or enum.
    pub fn resolve(&self) -> Result<Schema, ScanErrors> {
        let mut schema =
            resolve::resolve(&self.tables, &self.enums).map_err(|errors| self.located(errors))?;
        resolve::add_sequences(&mut schema, &self.sequences)
            .map_err(|errors| self.located(errors))?;
        resolve::add_views(&mut schema, &self.views, &self.enums)
            .map_err(|errors| self.located(errors))?;
        Ok(schema)
    }

    /// `errors` at their struct or enum (and field, when they name one).
    pub fn located(&self, errors: Vec<resolve::ResolveError>) -> ScanErrors {
        ScanErrors(
            errors
                .into_iter()
                .map(|e| {
                    let item = self.origins.get(&e.rust_name);
                    let origin = match (item, &e.field) {
                        (Some(o), Some(field)) => Some(field_origin(o, field)),
                        (o, _) => o.cloned(),
                    };
                    SourceError {
                        origin,
                        message: e.to_string(),
                    }
                })
                .collect(),
        )
    }
}

/// Where field `field` of the struct at `item` is declared: the first `field:` (not `::`)
/// from the struct's line on; the struct's own place when the file cannot be read again.
/// Looked up only for an error, so scanning keeps no position per field.
fn field_origin(item: &Origin, field: &str) -> Origin {
    let Ok(text) = std::fs::read_to_string(&item.file).or_else(|_| {
        std::env::current_dir().and_then(|d| std::fs::read_to_string(d.join(&item.file)))
    }) else {
        return item.clone();
    };
    for (n, line) in text.lines().enumerate().skip(item.line.saturating_sub(1)) {
        let mut from = 0;
        while let Some(at) = line[from..].find(field) {
            let start = from + at;
            let end = start + field.len();
            let before_ok = line[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            let after = line[end..].trim_start();
            if before_ok && after.starts_with(':') && !after.starts_with("::") {
                return Origin {
                    file: item.file.clone(),
                    line: n + 1,
                    column: line[..start].chars().count() + 1,
                };
            }
            from = end;
        }
    }
    item.clone()
}

/// Reads every `.rs` file of `roots` (files, or folders walked recursively; sorted), showing
/// paths relative to `base` where possible.
pub fn scan(roots: &[PathBuf], base: &Path) -> Result<Scanned, ScanErrors> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for root in roots {
        if let Err(e) = collect_files(root, &mut files) {
            errors.push(SourceError {
                origin: None,
                message: format!(
                    "cannot read schema path {}: {e}; fix `schema` in the config",
                    shown(root, base).display()
                ),
            });
        }
    }
    files.sort();
    files.dedup();
    let mut sources = Vec::new();
    for file in &files {
        let display = shown(file, base);
        match std::fs::read_to_string(file) {
            Ok(text) => sources.push((display, text)),
            Err(e) => errors.push(SourceError {
                origin: None,
                message: format!("cannot read {}: {e}", display.display()),
            }),
        }
    }
    let scanned = scan_parallel(&sources, &mut errors);
    if errors.is_empty() {
        Ok(scanned)
    } else {
        Err(ScanErrors(errors))
    }
}

/// Files above this size are cut at item boundaries into pieces of about this size, parsed on
/// all cores. Small pieces keep each token buffer small: a buffer of a whole large file grows
/// by copying into fresh pages, which cost more than the parse itself.
const PIECE_BYTES: usize = 16 * 1024;

/// What one piece of a file gave.
struct PieceScan {
    file: usize,
    parsed: bool,
    scanned: Scanned,
    errors: Vec<SourceError>,
}

/// Parses every file, large ones in pieces, on all cores; results keep the files' order, and a
/// file whose pieces do not all parse is parsed whole, so its errors are those of the file.
fn scan_parallel(sources: &[(PathBuf, String)], errors: &mut Vec<SourceError>) -> Scanned {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let mut work = Vec::new();
    for (i, (_, text)) in sources.iter().enumerate() {
        let pieces = (text.len() / PIECE_BYTES).max(1);
        work.extend(item_split::split(text, pieces).into_iter().map(|p| (i, p)));
    }
    let scan_piece = |(file, piece): &(usize, item_split::Piece<'_>)| {
        let mut scan = PieceScan {
            file: *file,
            parsed: true,
            scanned: Scanned::default(),
            errors: Vec::new(),
        };
        scan.parsed = scan_source_at(
            &sources[*file].0,
            piece.text,
            piece.first_line - 1,
            &mut scan.scanned,
            &mut scan.errors,
        );
        scan
    };
    let results: Vec<PieceScan> = if threads <= 1 || work.len() <= 1 {
        work.iter().map(scan_piece).collect()
    } else {
        // Each thread takes the next piece until none is left; results go back in order.
        // The calling thread takes pieces too: the memory it frees after parsing is what the
        // later steps, which run on it, allocate again, instead of fresh pages.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let take = || {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = work.get(i) else { break };
                out.push((i, scan_piece(item)));
            }
            out
        };
        let mut done: Vec<(usize, PieceScan)> = std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads.min(work.len()))
                .map(|_| s.spawn(take))
                .collect();
            let mut done = take();
            for h in handles {
                done.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            done
        });
        done.sort_unstable_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, r)| r).collect()
    };
    let mut scanned = Scanned::default();
    let failed: Vec<usize> = results
        .iter()
        .filter(|r| !r.parsed)
        .map(|r| r.file)
        .collect();
    let mut reparsed = Vec::new();
    for r in results {
        if !failed.contains(&r.file) {
            scanned.tables.extend(r.scanned.tables);
            scanned.enums.extend(r.scanned.enums);
            scanned.sequences.extend(r.scanned.sequences);
            scanned.views.extend(r.scanned.views);
            for (name, origin) in r.scanned.origins {
                scanned.origins.entry(name).or_insert(origin);
            }
            errors.extend(r.errors);
        } else if !reparsed.contains(&r.file) {
            reparsed.push(r.file);
            let (display, text) = &sources[r.file];
            scan_source(display, text, &mut scanned, errors);
        }
    }
    scanned
}

fn shown(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base).unwrap_or(path).to_path_buf()
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let child = entry.path();
        if entry.file_type()?.is_dir() {
            collect_files(&child, files)?;
        } else if child.extension().is_some_and(|e| e == "rs") {
            files.push(child);
        }
    }
    Ok(())
}

/// Scans one file's text into `scanned`, adding its problems to `errors`.
pub fn scan_source(file: &Path, text: &str, scanned: &mut Scanned, errors: &mut Vec<SourceError>) {
    scan_source_at(file, text, 0, scanned, errors);
}

/// Scans text that starts after `lines_before` lines of its file; false when it is not Rust.
fn scan_source_at(
    file: &Path,
    text: &str,
    lines_before: usize,
    scanned: &mut Scanned,
    errors: &mut Vec<SourceError>,
) -> bool {
    let at = Place { file, lines_before };
    match syn::parse_file(text) {
        Ok(parsed) => {
            scan_items(&at, parsed.items, scanned, errors);
            true
        }
        Err(e) => {
            errors.push(SourceError {
                origin: Some(at.origin(e.span())),
                message: format!("this is not valid Rust: {e}"),
            });
            false
        }
    }
}

/// Where a parsed text sits in its file.
struct Place<'a> {
    file: &'a Path,
    lines_before: usize,
}

impl Place<'_> {
    fn origin(&self, span: proc_macro2::Span) -> Origin {
        let start = span.start();
        Origin {
            file: self.file.to_path_buf(),
            line: start.line + self.lines_before,
            column: start.column + 1,
        }
    }
}

fn scan_items(
    at: &Place<'_>,
    items: Vec<Item>,
    scanned: &mut Scanned,
    errors: &mut Vec<SourceError>,
) {
    for item in items {
        match item {
            Item::Struct(s) if !is_cfg_test(&s.attrs) && refused(at, &s.attrs, errors) => {}
            Item::Enum(e) if !is_cfg_test(&e.attrs) && refused(at, &e.attrs, errors) => {}
            Item::Struct(s) if !is_cfg_test(&s.attrs) && derives(&s.attrs, "Table") => {
                let origin = at.origin(s.ident.span());
                let input = syn::DeriveInput::from(s);
                match parser::parse_table(&input) {
                    Ok(def) => {
                        scanned
                            .origins
                            .entry(def.rust_name.clone())
                            .or_insert(origin);
                        scanned.tables.push(def);
                    }
                    Err(e) => push_syn_errors(at, e, errors),
                }
            }
            Item::Struct(s) if !is_cfg_test(&s.attrs) && derives(&s.attrs, "Sequence") => {
                let origin = at.origin(s.ident.span());
                let input = syn::DeriveInput::from(s);
                match parser::parse_sequence(&input) {
                    Ok(def) => {
                        scanned
                            .origins
                            .entry(def.rust_name.clone())
                            .or_insert(origin);
                        scanned.sequences.push(def);
                    }
                    Err(e) => push_syn_errors(at, e, errors),
                }
            }
            Item::Struct(s) if !is_cfg_test(&s.attrs) && derives(&s.attrs, "View") => {
                let origin = at.origin(s.ident.span());
                let input = syn::DeriveInput::from(s);
                match parser::parse_view(&input) {
                    Ok(def) => {
                        scanned
                            .origins
                            .entry(def.rust_name.clone())
                            .or_insert(origin);
                        scanned.views.push(def);
                    }
                    Err(e) => push_syn_errors(at, e, errors),
                }
            }
            Item::Enum(en) if !is_cfg_test(&en.attrs) && derives(&en.attrs, "DbEnum") => {
                let origin = at.origin(en.ident.span());
                let input = syn::DeriveInput::from(en);
                match parser::parse_enum(&input) {
                    Ok(def) => {
                        scanned
                            .origins
                            .entry(def.rust_name.clone())
                            .or_insert(origin);
                        scanned.enums.push(def);
                    }
                    Err(e) => push_syn_errors(at, e, errors),
                }
            }
            Item::Mod(m) if !is_cfg_test(&m.attrs) => {
                if let Some((_, items)) = m.content {
                    scan_items(at, items, scanned, errors);
                }
            }
            _ => {}
        }
    }
}

/// Records an error for each derive of the language the parser says is not built yet
/// ([`parser::unsupported_derive`]); true when there was one, and the item is not read.
fn refused(at: &Place<'_>, attrs: &[Attribute], errors: &mut Vec<SourceError>) -> bool {
    let mut found = false;
    for path in derive_paths(attrs) {
        if let Some(e) = parser::unsupported_derive(&path) {
            push_syn_errors(at, e, errors);
            found = true;
        }
    }
    found
}

fn push_syn_errors(at: &Place<'_>, e: syn::Error, errors: &mut Vec<SourceError>) {
    for e in e {
        errors.push(SourceError {
            origin: Some(at.origin(e.span())),
            message: e.to_string(),
        });
    }
}

/// Every path in the item's `#[derive(...)]` lists.
fn derive_paths(attrs: &[Attribute]) -> impl Iterator<Item = syn::Path> + '_ {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .filter_map(|a| {
            a.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
}

/// `#[derive(..., Name, ...)]` with `Name` or `schema_macros::Name` (optionally `::`-rooted).
fn derives(attrs: &[Attribute], name: &str) -> bool {
    derive_paths(attrs).any(|path| {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        match segments.as_slice() {
            [last] => last == name,
            [krate, last] => krate == "schema_macros" && last == name,
            _ => false,
        }
    })
}

/// `#[cfg(test)]`: test-only items are not part of the schema.
fn is_cfg_test(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

#[cfg(test)]
mod tests;
