//! Live updates: `/events?plan=ID` streams the engine's changes to one plan
//! (any plan without it) as server-sent events, from this device or
//! another, so open pages can show them. Each is one `change` event whose
//! data is the watch event's JSON; a stream that fell behind gets one
//! empty event (the page refreshes once). Streams end when the daemon stops.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast::error::RecvError;

use super::App;

pub(super) async fn stream(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let plan = q.get("plan").cloned();
    let rx = app.api.engine().watch();
    let stop = app.shutdown.clone();
    let stream = futures::stream::unfold(rx, move |mut rx| {
        let plan = plan.clone();
        let stop = stop.clone();
        async move {
            loop {
                let next = tokio::select! {
                    r = rx.recv() => r,
                    () = stop.cancelled() => return None,
                };
                match next {
                    Ok(e) => {
                        let ours = match (&plan, e.plan()) {
                            (None, _) => true,
                            (Some(want), Some(p)) => p.as_str() == want.as_str(),
                            (Some(_), None) => false,
                        };
                        if ours {
                            let data = serde_json::to_string(&e).unwrap_or_default();
                            let ev = Event::default().event("change").data(data);
                            return Some((Ok::<_, std::convert::Infallible>(ev), rx));
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        let ev = Event::default().event("change").data("{}");
                        return Some((Ok(ev), rx));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
