//! A deterministic in-memory network of peers for the sync core: each
//! peer has a [`TestHost`] and a [`SyncCore`]; the network queues messages
//! and can partition, drop and reorder them. No sockets, no threads.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use automerge::ActorId;
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tandem_proto::edit::*;
use tandem_proto::model::Role;

use crate::doc::Device;
use crate::doc::tests::peer;
use crate::sync::*;

pub(super) const PLAN: &str = "00000000000000a1";

pub(super) struct TestHost {
    pub(super) me: String,
    pub(super) actor: ActorId,
    pub(super) plans: BTreeMap<String, PlanDoc>,
    pub(super) pending: BTreeSet<String>,
    pub(super) states: BTreeMap<(String, String), Vec<u8>>,
    /// What a real driver would have made durable, per plan.
    pub(super) stored: BTreeMap<String, Vec<Vec<u8>>>,
    /// Whether complete offers are stored at once (as after a join); when
    /// not, they go to `offers`.
    pub(super) consent: bool,
    /// Plans offered without consent: (plan, from, bytes).
    pub(super) offers: Vec<(String, String, Vec<u8>)>,
    /// Plans declined here.
    pub(super) declined: BTreeSet<String>,
}

impl Host for TestHost {
    fn me(&self) -> String {
        self.me.clone()
    }
    fn shared_with(&mut self, peer: &str) -> Vec<String> {
        self.plans
            .iter()
            .filter(|(id, d)| {
                !self.pending.contains(*id) && d.is_member(peer) && d.is_member(&self.me)
            })
            .map(|(id, _)| id.clone())
            .collect()
    }
    fn plan(&mut self, plan: &str) -> Option<&mut PlanDoc> {
        self.plans.get_mut(plan)
    }
    fn adopt(&mut self, plan: &str) -> Option<&mut PlanDoc> {
        self.pending.insert(plan.to_string());
        let actor = self.actor.clone();
        Some(
            self.plans
                .entry(plan.to_string())
                .or_insert_with(|| PlanDoc::empty(actor)),
        )
    }

    fn forget(&mut self, plan: &str) {
        if self.pending.remove(plan) {
            self.plans.remove(plan);
        }
    }
    fn saved_state(&mut self, peer: &str, plan: &str) -> Option<Vec<u8>> {
        self.states
            .get(&(peer.to_string(), plan.to_string()))
            .cloned()
    }
    fn knows(&mut self, peer: &str) -> bool {
        self.shared_with(peer).into_iter().next().is_some()
    }
    fn offer_policy(&mut self, plan: &str, _peer: &str) -> OfferPolicy {
        if self.declined.contains(plan) || self.offers.iter().any(|(p, _, _)| p == plan) {
            OfferPolicy::Refuse(format!("plan {plan} is declined or waits for consent"))
        } else {
            OfferPolicy::Receive { expected: false }
        }
    }
    fn consents(&mut self, _plan: &str, peer: &str) -> bool {
        self.consent || self.knows(peer)
    }
}

pub(super) struct Node {
    pub(super) host: TestHost,
    pub(super) core: SyncCore,
    pub(super) device: Device,
    pub(super) next_id: u64,
}

pub(super) struct Net {
    pub(super) nodes: Vec<Node>,
    pub(super) queue: VecDeque<(usize, usize, PeerMessage)>,
    pub(super) links: BTreeSet<(usize, usize)>,
    pub(super) now: u64,
    pub(super) rng: StdRng,
    pub(super) drop_rate: f64,
    /// Every message sent, for assertions: (from, to, message).
    pub(super) sent: Vec<(usize, usize, PeerMessage)>,
    pub(super) refused: Vec<(usize, String)>,
    pub(super) reasons: Vec<String>,
}

pub(super) fn link(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

impl Net {
    pub(super) fn new(n: usize, seed: u64) -> Net {
        let nodes = (0..n)
            .map(|i| {
                let me = peer(i as u8 + 1);
                let actor = ActorId::from(vec![i as u8 + 1; 16]);
                Node {
                    host: TestHost {
                        me: me.clone(),
                        actor: actor.clone(),
                        plans: BTreeMap::new(),
                        pending: BTreeSet::new(),
                        states: BTreeMap::new(),
                        stored: BTreeMap::new(),
                        consent: true,
                        offers: Vec::new(),
                        declined: BTreeSet::new(),
                    },
                    core: SyncCore::new(),
                    device: Device {
                        actor,
                        user: format!("u{i}"),
                        host: format!("h{i}"),
                        peer: me,
                    },
                    next_id: 0,
                }
            })
            .collect();
        Net {
            nodes,
            queue: VecDeque::new(),
            links: BTreeSet::new(),
            now: 1_000_000,
            rng: StdRng::seed_from_u64(seed),
            drop_rate: 0.0,
            sent: Vec::new(),
            refused: Vec::new(),
            reasons: Vec::new(),
        }
    }

    pub(super) fn index_of(&self, peer_id: &str) -> usize {
        self.nodes
            .iter()
            .position(|n| n.host.me == peer_id)
            .expect("known peer")
    }

    pub(super) fn apply(&mut self, at: usize, outputs: Vec<Output>) {
        for o in outputs {
            match o {
                Output::Send { peer, msg } => {
                    let to = self.index_of(&peer);
                    self.sent.push((at, to, msg.clone()));
                    if self.links.contains(&link(at, to)) {
                        self.queue.push_back((at, to, msg));
                    }
                }
                Output::StoreChanges {
                    plan, bytes, whole, ..
                } => {
                    let host = &mut self.nodes[at].host;
                    if whole {
                        host.pending.remove(&plan);
                        host.stored.insert(plan.clone(), Vec::new());
                    }
                    host.stored.entry(plan).or_default().push(bytes);
                }
                Output::StoreSyncState { peer, plan, state } => {
                    self.nodes[at].host.states.insert((peer, plan), state);
                }
                Output::Refused { plan, reason, .. } => {
                    self.reasons.push(reason);
                    self.refused.push((at, plan))
                }
                Output::Offer { plan, from, bytes } => {
                    self.nodes[at].host.offers.push((plan, from, bytes));
                }
            }
        }
    }

    /// Node `at` creates the plan and makes every node in `members` a member.
    pub(super) fn create(&mut self, at: usize, members: &[usize]) {
        let np = NewPlan {
            title: "Plan".into(),
            mentor: "M".into(),
            mentee: "E".into(),
            ..Default::default()
        };
        let node = &mut self.nodes[at];
        let (doc, bytes) = PlanDoc::create(
            PLAN,
            &np,
            &node.device,
            Timestamp::UNIX_EPOCH,
            &mut String::new,
        )
        .unwrap();
        node.host.plans.insert(PLAN.into(), doc);
        node.host.stored.insert(PLAN.into(), vec![bytes]);
        for &m in members {
            let peer_id = self.nodes[m].host.me.clone();
            let role = if m == at { Role::Mentor } else { Role::Mentee };
            self.edit(
                at,
                Edit::Member(MemberOp::Add(NewMember {
                    peer: peer_id.into(),
                    name: format!("n{m}"),
                    role,
                    device: String::new(),
                })),
            );
        }
    }

    /// Node `at` adds node `m` as a member with `role`.
    pub(super) fn add_member(&mut self, at: usize, m: usize, role: Role) {
        let peer = self.nodes[m].host.me.clone();
        assert!(self.edit(
            at,
            Edit::Member(MemberOp::Add(NewMember {
                peer: peer.into(),
                name: format!("n{m}"),
                role,
                device: String::new(),
            })),
        ));
    }

    /// Applies an edit on a node that holds the plan; returns whether it did.
    /// Like a modified client, it does not check the node's role.
    pub(super) fn edit(&mut self, at: usize, edit: Edit) -> bool {
        let now = self.now;
        let node = &mut self.nodes[at];
        if node.host.pending.contains(PLAN) {
            return false;
        }
        let Some(doc) = node.host.plans.get_mut(PLAN) else {
            return false;
        };
        let base = (at as u64 + 1) << 40;
        let counter = &mut node.next_id;
        let mut next = || {
            *counter += 1;
            format!("{:016x}", base + *counter)
        };
        let ts = Timestamp::from_millisecond(now as i64).unwrap();
        let Ok(edited) = doc.apply(&edit, &node.device, ts, &mut next) else {
            return false;
        };
        if let Some(bytes) = edited.change {
            node.host.stored.entry(PLAN.into()).or_default().push(bytes);
        }
        let out = node.core.local_change(now, PLAN, &mut node.host);
        self.apply(at, out);
        true
    }

    pub(super) fn connect(&mut self, a: usize, b: usize) {
        if a == b || !self.links.insert(link(a, b)) {
            return;
        }
        let (pa, pb) = (self.nodes[a].host.me.clone(), self.nodes[b].host.me.clone());
        let now = self.now;
        let node = &mut self.nodes[a];
        let out = node.core.connected(now, &pb, &mut node.host);
        self.apply(a, out);
        let node = &mut self.nodes[b];
        let out = node.core.connected(now, &pa, &mut node.host);
        self.apply(b, out);
    }

    pub(super) fn disconnect(&mut self, a: usize, b: usize) {
        if !self.links.remove(&link(a, b)) {
            return;
        }
        let (pa, pb) = (self.nodes[a].host.me.clone(), self.nodes[b].host.me.clone());
        let node = &mut self.nodes[a];
        node.core.disconnected(&pb, &mut node.host);
        let node = &mut self.nodes[b];
        node.core.disconnected(&pa, &mut node.host);
        // Whatever was on the wire between them is lost.
        self.queue.retain(|(f, t, _)| link(*f, *t) != link(a, b));
    }

    /// Delivers one queued message, picked at random (reordering), maybe dropping it.
    pub(super) fn step(&mut self) -> bool {
        if self.queue.is_empty() {
            return false;
        }
        let i = self.rng.random_range(0..self.queue.len());
        let Some((from, to, msg)) = self.queue.remove(i) else {
            return false;
        };
        if self.rng.random_bool(self.drop_rate) {
            return true;
        }
        self.now += 1;
        let from_id = self.nodes[from].host.me.clone();
        let now = self.now;
        let node = &mut self.nodes[to];
        let out = node.core.message(now, &from_id, msg, &mut node.host);
        self.apply(to, out);
        true
    }

    pub(super) fn tick(&mut self) {
        self.now += RESEND_AFTER_MS;
        for i in 0..self.nodes.len() {
            let now = self.now;
            let node = &mut self.nodes[i];
            let out = node.core.tick(now, &mut node.host);
            self.apply(i, out);
        }
    }

    /// Runs until no message is queued and no session waits, with time passing.
    pub(super) fn settle(&mut self) {
        for _ in 0..200 {
            let mut steps = 0;
            while self.step() {
                steps += 1;
                if steps == 2000 {
                    let tail: Vec<String> = self
                        .sent
                        .iter()
                        .rev()
                        .take(12)
                        .map(|(f, t, m)| match m {
                            PeerMessage::Sync { data, .. } => {
                                let msg = automerge::sync::Message::decode(data).unwrap();
                                format!(
                                    "{f}->{t} sync heads={} need={} have={} changes={}",
                                    msg.heads.len(),
                                    msg.need.len(),
                                    msg.have.len(),
                                    msg.changes.len()
                                )
                            }
                            other => format!("{f}->{t} {other:?}"),
                        })
                        .collect();
                    let heads: Vec<String> = self
                        .nodes
                        .iter()
                        .map(|n| {
                            format!(
                                "{:?}",
                                n.host
                                    .plans
                                    .get(PLAN)
                                    .map(|d| d.automerge().get_heads().len())
                            )
                        })
                        .collect();
                    panic!(
                        "sync does not settle: messages loop:\n{}\nrefused: {:?}\nheads: {heads:?} links {:?} pending {:?}",
                        tail.join("\n"),
                        self.reasons.first(),
                        self.links,
                        self.nodes
                            .iter()
                            .map(|n| n.host.pending.clone())
                            .collect::<Vec<_>>()
                    );
                }
            }
            if self.nodes.iter().all(|n| n.core.is_idle()) {
                return;
            }
            self.tick();
        }
        panic!("sync did not settle");
    }

    pub(super) fn same(&self, a: usize, b: usize) -> bool {
        let (va, vb) = (self.view(a), self.view(b));
        va.is_some() && va == vb
    }

    pub(super) fn view(&self, at: usize) -> Option<String> {
        let h = &self.nodes[at].host;
        if h.pending.contains(PLAN) {
            return None;
        }
        h.plans
            .get(PLAN)
            .map(|d| serde_json::to_string(&d.plan()).unwrap())
    }

    /// What node `at` would load from its store after a crash.
    pub(super) fn reload(&self, at: usize) -> PlanDoc {
        let chunks = &self.nodes[at].host.stored[PLAN];
        PlanDoc::load(
            None,
            chunks.iter().map(Vec::as_slice),
            self.nodes[at].host.actor.clone(),
        )
        .unwrap()
    }

    pub(super) fn goal_ids(&self, at: usize) -> BTreeSet<String> {
        self.nodes[at]
            .host
            .plans
            .get(PLAN)
            .map(|d| {
                d.plan()
                    .goals
                    .into_iter()
                    .map(|g| g.id.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn bytes_sent(&self) -> usize {
        self.sent
            .iter()
            .map(|(_, _, m)| match m {
                PeerMessage::Sync { data, .. } => data.len(),
                _ => 0,
            })
            .sum()
    }
}
