//! Errors that cross the socket.
//!
//! A daemon error reaches the client as an [`ApiError`]: a stable
//! machine-readable [`ErrorCode`] plus a message for people. The CLI maps
//! codes to its documented exit codes.

use serde::{Deserialize, Serialize};

/// What kind of failure; stable across versions (new codes may be added).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not a valid message (bad JSON, unknown request type).
    BadRequest,
    /// The frame was larger than the limit.
    TooLarge,
    /// Client and daemon speak different protocol versions.
    VersionMismatch,
    /// A field failed validation.
    Invalid,
    /// No plan, item or position with that id.
    NotFound,
    /// An id prefix matches more than one item.
    Ambiguous,
    /// No plan was named and there is no current or only plan.
    NoPlan,
    /// The stored plan cannot be read; its bytes are kept as they are.
    CorruptPlan,
    /// The database failed; nothing was changed.
    Storage,
    /// The daemon is shutting down.
    ShuttingDown,
    /// A bug in the daemon.
    Internal,
    /// This device may not do that: its role in the plan does not allow it,
    /// it is no longer a member, or a peer refused it (an invitation that is
    /// expired, used up, revoked or does not match).
    Forbidden,
    /// A peer device could not be reached (the inviter, for a join).
    Unreachable,
}

impl ErrorCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::VersionMismatch => "version_mismatch",
            ErrorCode::Invalid => "invalid",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Ambiguous => "ambiguous",
            ErrorCode::NoPlan => "no_plan",
            ErrorCode::CorruptPlan => "corrupt_plan",
            ErrorCode::Storage => "storage",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::Internal => "internal",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Unreachable => "unreachable",
        }
    }
}

/// An error reply from the daemon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl From<crate::edit::ValidationError> for ApiError {
    fn from(e: crate::edit::ValidationError) -> Self {
        ApiError::new(ErrorCode::Invalid, e.to_string())
    }
}

impl From<crate::ids::ResolveError> for ApiError {
    fn from(e: crate::ids::ResolveError) -> Self {
        let code = match e {
            crate::ids::ResolveError::NotFound { .. } => ErrorCode::NotFound,
            crate::ids::ResolveError::Ambiguous { .. } => ErrorCode::Ambiguous,
            crate::ids::ResolveError::Malformed { .. } => ErrorCode::Invalid,
        };
        ApiError::new(code, e.to_string())
    }
}
