//! The worker pool of a fleet: at most `parallel` databases at once, each on a thread of its
//! own. The commands are sync over async ([`crate::database::block_on`] starts a runtime per
//! call), so a plain thread per running database reuses them unchanged; the work is waiting
//! on servers, and `--parallel` bounds the threads. Events reach the calling thread, which
//! alone prints, so the output of databases never interleaves.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// What the calling thread hears of the database at an index.
pub enum Event<R> {
    Started(usize),
    Done(usize, R),
}

/// Runs `work` on each index below `count`, at most `parallel` at once, in order of index,
/// calling `heard` with each event as it happens. With `fail_fast`, no index is started after
/// one for which `failed` says so (those running finish). Gives whether each index started.
pub fn run<R: Send>(
    (count, parallel, fail_fast): (usize, usize, bool),
    work: impl Fn(usize) -> R + Sync,
    failed: impl Fn(&R) -> bool + Sync,
    mut heard: impl FnMut(Event<R>),
) -> Vec<bool> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut started = vec![false; count];
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..parallel.clamp(1, count.max(1)) {
            let tx = tx.clone();
            let (next, stop, work, failed) = (&next, &stop, &work, &failed);
            scope.spawn(move || loop {
                // The stop flag is read before an index is taken, and set by the thread that
                // failed before it reports: nothing starts after a failure is known.
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count || tx.send(Event::Started(i)).is_err() {
                    break;
                }
                let result = work(i);
                if fail_fast && failed(&result) {
                    stop.store(true, Ordering::SeqCst);
                }
                if tx.send(Event::Done(i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for event in rx {
            if let Event::Started(i) = event {
                started[i] = true;
            }
            heard(event);
        }
    });
    started
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[test]
    fn at_most_parallel_run_at_once() {
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut done = Vec::new();
        let work = |i: usize| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(20));
            running.fetch_sub(1, Ordering::SeqCst);
            i * 2
        };
        let started = run(
            (10, 3, false),
            work,
            |_| false,
            |e| {
                if let Event::Done(i, r) = e {
                    done.push((i, r));
                }
            },
        );
        assert!(started.iter().all(|s| *s));
        assert_eq!(most.load(Ordering::SeqCst), 3);
        done.sort();
        assert_eq!(done, (0..10).map(|i| (i, i * 2)).collect::<Vec<_>>());
    }

    #[test]
    fn fail_fast_starts_nothing_after_a_failure() {
        let started = run((10, 1, true), |i| i == 2, |failed| *failed, |_| {});
        assert_eq!(
            started,
            [true, true, true, false, false, false, false, false, false, false]
        );
        let started = run((10, 1, false), |i| i == 2, |failed| *failed, |_| {});
        assert!(started.iter().all(|s| *s));
    }
}
