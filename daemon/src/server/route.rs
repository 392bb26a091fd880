//! Where each request goes: the engine answers what is about plans and the
//! store ([`Ask`]); dialing, forgetting and joining are the network's; the
//! status and invitations take a part from each. The match over
//! [`Request`] is exhaustive, so a new request must be routed here.

use tandem_proto::api::{Join, Joined, NewInvite, PeerAdd, PeerForget, Request, Response, Watch};
use tandem_proto::{ApiError, ErrorCode};

use crate::engine::thread::EngineHandle;
use crate::engine::{Ask, Read, Write};
use crate::net::NetHandle;

/// A request, by what the connection does with it.
pub(super) enum Route {
    /// Turn into a stream of events.
    Watch(Watch),
    /// Reply, then stop the daemon.
    Shutdown,
    /// Reply.
    Reply(Reply),
}

/// A request that gets one reply, by who gives it.
pub(super) enum Reply {
    /// The engine alone.
    Engine(Ask),
    /// The engine's status completed with the network's.
    Status,
    /// An invitation: the network's addresses, then the engine.
    InviteNew(NewInvite),
    /// Dial a peer.
    PeerAdd(PeerAdd),
    /// Forget a peer.
    PeerForget(PeerForget),
    /// Join with a ticket: consent recorded by the engine, the inviter asked
    /// over the network.
    Join(Join),
}

impl Route {
    /// Who answers `request`.
    pub(super) fn of(request: Request) -> Route {
        let engine = |a: Ask| Route::Reply(Reply::Engine(a));
        match request {
            Request::Watch(w) => Route::Watch(w),
            Request::Shutdown => Route::Shutdown,
            Request::Status => Route::Reply(Reply::Status),
            Request::PeerAdd(p) => Route::Reply(Reply::PeerAdd(p)),
            Request::PeerForget(p) => Route::Reply(Reply::PeerForget(p)),
            Request::Join(j) => Route::Reply(Reply::Join(j)),
            Request::InviteNew(n) => Route::Reply(Reply::InviteNew(n)),
            Request::PlanList => engine(Read::PlanList.into()),
            Request::PlanGet(g) => engine(Read::PlanGet(g).into()),
            Request::Log(h) => engine(Read::Log(h).into()),
            Request::SyncStatus(s) => engine(Read::SyncStatus(s).into()),
            Request::InviteList(l) => engine(Read::InviteList(l).into()),
            Request::PlanPending => engine(Read::PlanPending.into()),
            Request::BundleExport(b) => engine(Read::BundleExport(b).into()),
            Request::PlanNew(n) => engine(Write::PlanNew(n).into()),
            Request::PlanImport(p) => engine(Write::PlanImport(p).into()),
            Request::BundleImport(b) => engine(Write::BundleImport(b).into()),
            Request::PlanUse(u) => engine(Write::PlanUse(u).into()),
            Request::PlanAccept(a) => engine(Write::PlanAccept(a).into()),
            Request::PlanDecline(d) => engine(Write::PlanDecline(d).into()),
            Request::Edit(e) => engine(Write::Edit(e).into()),
            Request::Undo(u) => engine(Write::Undo(u).into()),
            Request::UndoList(u) => engine(Read::UndoList(u).into()),
            Request::Resolve(r) => engine(Write::Resolve(r).into()),
            Request::InviteRevoke(r) => engine(Write::InviteRevoke(r).into()),
        }
    }
}

impl Reply {
    /// Answers the request.
    pub(super) async fn answer(self, engine: &EngineHandle, net: Option<&NetHandle>) -> Response {
        let no_network = || {
            Response::Error(ApiError::new(
                ErrorCode::Internal,
                "this daemon runs without a network",
            ))
        };
        match self {
            Reply::Engine(ask) => engine.call(ask).await,
            Reply::Status => {
                let mut response = engine.call(Read::Status).await;
                if let (Response::Status(st), Some(net)) = (&mut response, net) {
                    let ns = net.status();
                    st.listen = ns.listen;
                    st.peers = ns.peers;
                    st.nat = ns.nat;
                    st.relays = ns.relays;
                    st.listen_errors = ns.listen_errors;
                    for p in &mut st.peers {
                        p.member = st.member_devices.contains(&p.peer);
                    }
                }
                response
            }
            Reply::InviteNew(mut new) => {
                if new.addrs.is_empty() {
                    new.addrs = net.map(ticket_addrs).unwrap_or_default();
                }
                engine.call(Write::InviteNew(new)).await
            }
            Reply::PeerAdd(PeerAdd { addr }) => match net {
                Some(net) => match net.dial(&addr).await {
                    Ok(peer) => Response::Dialing {
                        peer: peer.to_string().into(),
                    },
                    Err(e) => Response::Error(ApiError::new(ErrorCode::Invalid, e)),
                },
                None => no_network(),
            },
            Reply::PeerForget(PeerForget { peer }) => match net {
                Some(net) => match net.forget(&peer).await {
                    Ok(()) => Response::Forgotten { peer: peer.into() },
                    Err(e) => Response::Error(ApiError::new(ErrorCode::Invalid, e)),
                },
                None => no_network(),
            },
            Reply::Join(j) => match net {
                Some(net) => join(j, net, engine).await,
                None => no_network(),
            },
        }
    }
}

/// The addresses a ticket offers: where this daemon listens, routable ones
/// first (at most 8).
fn ticket_addrs(net: &NetHandle) -> Vec<String> {
    let mut addrs = net.status().listen;
    // Routable direct addresses, then relayed ones, then loopback.
    addrs.sort_by_key(|a| {
        let loopback = a.starts_with("/ip4/127.") || a.starts_with("/ip6/::1/");
        (loopback, a.contains("/p2p-circuit"))
    });
    addrs.truncate(8);
    addrs
}

/// Joins a plan with a ticket: checks its form here, records that this
/// device consents to receiving the plan, then asks the inviter over the
/// join protocol. Expiry is the inviter's to judge, by its own clock; both
/// clocks travel with the exchange, and a difference of more than five
/// minutes is reported, in words.
async fn join(
    Join {
        ticket,
        name,
        device,
    }: Join,
    net: &NetHandle,
    engine: &EngineHandle,
) -> Response {
    use crate::engine::invites::skew_words;
    use tandem_proto::peer::{JoinReply, JoinRequest};
    use tandem_proto::ticket::TicketBody;
    let body = match TicketBody::decode(&ticket) {
        Ok(b) => b,
        Err(e) => return Response::Error(ApiError::new(ErrorCode::Invalid, e.to_string())),
    };
    let secret = match body.secret_bytes() {
        Ok(s) => s,
        Err(e) => return Response::Error(ApiError::new(ErrorCode::Invalid, e.to_string())),
    };
    if let Err(e) = engine
        .expect_plan(body.plan.to_string(), Some(body.inviter.to_string()))
        .await
    {
        return Response::Error(e);
    }
    let now_ms = jiff::Timestamp::now().as_millisecond().max(0) as u64;
    let req = JoinRequest {
        plan: body.plan.clone(),
        inviter: body.inviter.clone(),
        secret,
        name,
        device,
        now_ms: Some(now_ms),
    };
    // "this device's clock is 2 days ahead of the inviter's"
    let clock = |theirs: Option<u64>| {
        theirs
            .and_then(|t| skew_words(now_ms, t))
            .map(|w| format!("this device's clock is {w} the inviter's; set it right"))
    };
    let reply = net.join(&body.inviter, &body.addrs, req).await;
    if !matches!(reply, Ok(JoinReply::Joined { .. })) {
        let _ = engine.expect_plan(body.plan.to_string(), None).await;
    }
    match reply {
        Ok(JoinReply::Joined {
            title,
            role,
            name,
            now_ms: theirs,
        }) => {
            // The inviter's relays reach it (and now us) when direct dials cannot.
            net.adopt_relays(&body.addrs).await;
            Response::Joined(Joined {
                plan: body.plan,
                title,
                role,
                name,
                inviter: body.inviter,
                clock: clock(theirs),
            })
        }
        Ok(JoinReply::Refused {
            reason,
            message,
            now_ms: theirs,
        }) => {
            let note = clock(theirs).map(|c| format!(" ({c})")).unwrap_or_default();
            Response::Error(ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "the inviter refused: {message} ({}){note}",
                    serde_json::to_string(&reason)
                        .unwrap_or_default()
                        .trim_matches('"')
                ),
            ))
        }
        Err(e) => Response::Error(ApiError::new(ErrorCode::Unreachable, e)),
    }
}

/// The engine's part of a request, for engine tests that speak in requests.
#[cfg(test)]
pub(crate) fn ask(request: Request) -> Ask {
    match Route::of(request) {
        Route::Reply(Reply::Engine(ask)) => ask,
        Route::Reply(Reply::Status) => Read::Status.into(),
        Route::Reply(Reply::InviteNew(new)) => Write::InviteNew(new).into(),
        _ => panic!("not a request the engine answers"),
    }
}
