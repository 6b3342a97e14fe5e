//! How a fleet's progress shows: a progress bar (the `indicatif` crate, on stderr) when a user
//! watches a terminal, else a plain line per database as it finishes (not a terminal, or CI).

use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeSet;
use std::io::Write;

/// The bar, or the count of finished databases for the plain lines.
pub enum Progress {
    Bar {
        bar: ProgressBar,
        running: BTreeSet<usize>,
    },
    Lines {
        count: usize,
        finished: usize,
    },
}

impl Progress {
    /// A bar over `count` databases when `terminal`, else plain lines.
    pub fn new(count: usize, terminal: bool) -> Progress {
        if !terminal {
            return Progress::Lines { count, finished: 0 };
        }
        let bar = ProgressBar::new(count as u64);
        let style = ProgressStyle::with_template("{bar:30} {pos}/{len} databases {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress::Bar {
            bar,
            running: BTreeSet::new(),
        }
    }

    /// Whether progress shows as a bar: on a terminal a user watches, outside CI.
    pub fn terminal(interactive: bool, ci: Option<String>) -> bool {
        use std::io::IsTerminal;
        interactive && std::io::stderr().is_terminal() && ci.is_none_or(|v| v.is_empty())
    }

    /// Database `i` started: the bar says how many run.
    pub fn started(&mut self, i: usize) {
        if let Progress::Bar { bar, running } = self {
            running.insert(i);
            bar.set_message(format!("({} running)", running.len()));
        }
    }

    /// Prints `text` (a finished database's whole output) without tearing the bar.
    pub fn print(&self, out: &mut dyn Write, text: &[u8]) {
        let mut write = || {
            let _ = out.write_all(text);
            let _ = out.flush();
        };
        match self {
            Progress::Bar { bar, .. } => bar.suspend(write),
            Progress::Lines { .. } => write(),
        }
    }

    /// Database `i` (named `database`) finished as `state` says: the bar moves, or a line.
    pub fn finished(&mut self, i: usize, database: &str, state: &str, out: &mut dyn Write) {
        match self {
            Progress::Bar { bar, running } => {
                running.remove(&i);
                bar.set_message(format!("({} running)", running.len()));
                bar.inc(1);
            }
            Progress::Lines { count, finished } => {
                *finished += 1;
                let _ = writeln!(out, "[{finished}/{count}] {database}: {state}");
            }
        }
    }

    /// The bar is removed once every database finished (the summary follows).
    pub fn finish(self) {
        if let Progress::Bar { bar, .. } = self {
            bar.finish_and_clear();
        }
    }
}
