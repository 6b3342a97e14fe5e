//! The command line's errors and the exit code each one gives.

use crate::backend::DefaultsError;
use crate::commands::migrate::MigrateError;
use crate::commands::verify::VerifyError;
use crate::config::ConfigError;
use crate::database::DatabaseError;
use crate::folder::FolderError;
use crate::history::FolderReadError;
use crate::scan::ScanErrors;
use crate::write_set::WriteError;
use schema_core::render::RenderError;

/// Success.
pub const EXIT_OK: u8 = 0;
/// Something failed; nothing was written.
pub const EXIT_FAILED: u8 = 1;
/// The command line is wrong or incomplete (including unanswered rename questions).
pub const EXIT_USAGE: u8 = 2;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Scan(#[from] ScanErrors),
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error(transparent)]
    Defaults(#[from] DefaultsError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error(transparent)]
    Migrations(#[from] FolderReadError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error("cannot write the migration's SQL: {0}")]
    Render(#[from] RenderError),
    /// Bad flags; the message says which and how to fix them.
    #[error("{0}")]
    Usage(String),
    /// Possible renames nobody answered; the message lists each with its flags.
    #[error("{0}")]
    OpenRenames(String),
    /// `check` found problems; the report is already printed.
    #[error("{0}")]
    CheckFailed(String),
    /// The command refuses what it was given (the message says why and what to do); exit 1.
    #[error("{0}")]
    Refused(String),
    #[error("cancelled: nothing was written")]
    Cancelled,
    #[error("cannot ask on the terminal: {0}; answer with --rename flags instead")]
    Prompt(std::io::Error),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_)
            | Error::OpenRenames(_)
            | Error::Database(DatabaseError::UrlAndTarget) => EXIT_USAGE,
            // The shell's convention: 128 plus the signal's number.
            Error::Verify(VerifyError::Interrupted { signal, .. }) => match *signal {
                "SIGINT" => 130,
                _ => 143,
            },
            _ => EXIT_FAILED,
        }
    }
}

/// A scratch database `verify` could not make or use.
impl From<crate::backend::ScratchError> for Error {
    fn from(e: crate::backend::ScratchError) -> Error {
        Error::Verify(e.into())
    }
}
