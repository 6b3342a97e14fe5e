//! The signals that stop a `verify` run: SIGTERM (a CI timeout, `kill`) and SIGINT (Ctrl-C).

/// Both signals, listened to from [`Stop::listen`] on.
pub(super) struct Stop {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Stop {
    pub(super) fn listen() -> Stop {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let term = signal(SignalKind::terminate());
            let int = signal(SignalKind::interrupt());
            Stop {
                streams: term.ok().zip(int.ok()),
            }
        }
        #[cfg(not(unix))]
        Stop {}
    }

    /// Waits for the first of them; its name.
    pub(super) async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            let Some((term, int)) = &mut self.streams else {
                return std::future::pending().await;
            };
            tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
