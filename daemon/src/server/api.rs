//! The request API as a handle inside the daemon, for the web app: a
//! request goes through [`Route`] and [`super::route::Reply::answer`]
//! exactly as one from the socket does, so the app has no second path
//! into the documents (same validation, same errors, same durability).

use tandem_proto::api::{Call, Response};
use tandem_proto::{ApiError, ErrorCode};

use super::route::Route;
use crate::engine::thread::EngineHandle;
use crate::net::NetHandle;

/// Answers requests as the socket does.
#[derive(Clone)]
pub struct Api {
    engine: EngineHandle,
    net: Option<NetHandle>,
}

impl Api {
    /// A handle over the engine (and the network, when there is one).
    pub fn new(engine: EngineHandle, net: Option<NetHandle>) -> Api {
        Api { engine, net }
    }

    /// The engine, for the event stream.
    pub fn engine(&self) -> &EngineHandle {
        &self.engine
    }

    /// Sends `request` and returns its reply, or the error it got.
    pub async fn call<C: Call>(&self, request: C) -> Result<C::Reply, ApiError> {
        let response = match Route::of(request.into()) {
            Route::Reply(r) => r.answer(&self.engine, self.net.as_ref()).await,
            Route::Watch(_) | Route::Shutdown => Response::Error(ApiError::new(
                ErrorCode::BadRequest,
                "not a request the app makes",
            )),
        };
        match response {
            Response::Error(e) => Err(e),
            other => C::reply(other).map_err(|r| {
                ApiError::new(
                    ErrorCode::Internal,
                    format!("{} got a reply of another kind: {r:?}", C::WHAT),
                )
            }),
        }
    }
}
