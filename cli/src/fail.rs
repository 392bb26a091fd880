//! CLI failures and their exit codes.
//!
//! | code | meaning                                                              |
//! |------|----------------------------------------------------------------------|
//! | 0    | success                                                              |
//! | 1    | any other error (storage, corrupt plan, internal)                   |
//! | 2    | usage error or invalid input (bad flag, date, enum value, ambiguous id, no plan chosen) |
//! | 3    | not found (no such plan, goal, action, ... or position)             |
//! | 4    | the daemon is unreachable (not running and not startable, version mismatch) |
//! | 5    | not allowed (the device's role forbids it, it was removed, or an invitation was refused) |
//! | 6    | `sync --wait` gave up with a member device not in sync (offline or still behind) |

use tandem_proto::{ApiError, ErrorCode};

/// Exit code: other error.
pub const EXIT_OTHER: u8 = 1;
/// Exit code: usage error or invalid input.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: not found.
pub const EXIT_NOT_FOUND: u8 = 3;
/// Exit code: daemon unreachable.
pub const EXIT_UNREACHABLE: u8 = 4;
/// Exit code: not allowed.
pub const EXIT_FORBIDDEN: u8 = 5;
/// Exit code: a member device is not in sync when `sync --wait` gives up.
pub const EXIT_NOT_IN_SYNC: u8 = 6;

/// A failure, classified for the exit code.
#[derive(Debug, thiserror::Error)]
pub enum Fail {
    /// Bad input.
    #[error("{0}")]
    Usage(String),
    /// Nothing by that name.
    #[error("{0}")]
    NotFound(String),
    /// No daemon to talk to.
    #[error("{0}")]
    Unreachable(String),
    /// Not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Waited for member devices to sync, and some did not.
    #[error("{0}")]
    NotInSync(String),
    /// The daemon failed in a way the user cannot fix by retyping the
    /// command (a corrupt plan, a storage or internal error); `--json`
    /// keeps its code.
    #[error("{1}")]
    Daemon(ErrorCode, String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl Fail {
    /// The documented exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Fail::Usage(_) => EXIT_USAGE,
            Fail::NotFound(_) => EXIT_NOT_FOUND,
            Fail::Unreachable(_) => EXIT_UNREACHABLE,
            Fail::Forbidden(_) => EXIT_FORBIDDEN,
            Fail::NotInSync(_) => EXIT_NOT_IN_SYNC,
            Fail::Daemon(..) | Fail::Other(_) => EXIT_OTHER,
        }
    }

    /// A stable code for `--json` error output.
    pub fn code(&self) -> &'static str {
        match self {
            Fail::Usage(_) => "usage",
            Fail::NotFound(_) => "not_found",
            Fail::Unreachable(_) => "unreachable",
            Fail::Forbidden(_) => "forbidden",
            Fail::NotInSync(_) => "not_in_sync",
            Fail::Daemon(code, _) => code.as_str(),
            Fail::Other(_) => "error",
        }
    }

    /// A failed write to stdout. A closed pipe (e.g. `| head`) ends the
    /// program quietly, with success: the reader had what it wanted.
    pub fn output(e: std::io::Error) -> Fail {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        Fail::Other(format!("cannot write output: {e}"))
    }
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        match e.code {
            ErrorCode::NotFound => Fail::NotFound(e.message),
            ErrorCode::Forbidden => Fail::Forbidden(e.message),
            ErrorCode::Invalid
            | ErrorCode::Ambiguous
            | ErrorCode::NoPlan
            | ErrorCode::BadRequest
            | ErrorCode::TooLarge => Fail::Usage(e.message),
            ErrorCode::VersionMismatch | ErrorCode::ShuttingDown => Fail::Unreachable(e.message),
            ErrorCode::CorruptPlan
            | ErrorCode::Storage
            | ErrorCode::Internal
            | ErrorCode::Unreachable => Fail::Daemon(e.code, e.message),
        }
    }
}

impl From<tandem_proto::edit::ValidationError> for Fail {
    fn from(e: tandem_proto::edit::ValidationError) -> Self {
        Fail::Usage(e.to_string())
    }
}

impl From<tandem_proto::dates::DateError> for Fail {
    fn from(e: tandem_proto::dates::DateError) -> Self {
        Fail::Usage(e.to_string())
    }
}

impl From<tandem_proto::model::BadEnumValue> for Fail {
    fn from(e: tandem_proto::model::BadEnumValue) -> Self {
        Fail::Usage(e.to_string())
    }
}
