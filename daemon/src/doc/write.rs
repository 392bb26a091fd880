//! Applying an [`Edit`] to a plan document, inside one Automerge transaction.
//!
//! Each edit touches only the fields it names, so concurrent edits of
//! different fields on two devices both survive a merge; collaborative
//! texts are updated by diff, so concurrent edits of one text merge
//! character by character. An edit that fails (an unknown id, a position
//! out of range) returns an error and the transaction is rolled back.

use automerge::transaction::{Transactable, Transaction};
use automerge::{AutomergeError, ObjId, ObjType, ReadDoc, ScalarValue};
use jiff::Timestamp;
use jiff::civil::Date;
use tandem_proto::edit::{Edit, GoalPatch, NewGoal};
use tandem_proto::model::{ActionStatus, MeetingStatus, Role};
use tandem_proto::{ApiError, ErrorCode, ids};

use super::layout::{self, CREATED_AT, Collection, UPDATED_AT};
use super::read;

/// What an applied edit produced: the change message and what to show the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    pub(crate) message: String,
    pub(crate) target: Target,
}

/// Which object the client gets back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Plan,
    Agreement,
    Item(Collection, String),
    Removed(Collection, String),
    /// A member record (added or updated).
    Member(String),
    /// A removed member.
    MemberRemoved(String),
}

impl Target {
    /// How a watcher is told what was touched.
    pub(crate) fn touched(&self) -> tandem_proto::api::Touched {
        use tandem_proto::api::Touched;
        let (kind, id) = match self {
            Target::Plan => ("plan", None),
            Target::Agreement => ("agreement", None),
            Target::Item(c, id) | Target::Removed(c, id) => (c.noun(), Some(id.clone())),
            Target::Member(p) | Target::MemberRemoved(p) => {
                ("member", Some(p.clone()).filter(|p| !p.is_empty()))
            }
        };
        Touched {
            kind: kind.to_string(),
            id,
        }
    }
}

pub(crate) fn internal(e: AutomergeError) -> ApiError {
    ApiError::new(ErrorCode::Internal, format!("document error: {e}"))
}

fn not_found(msg: String) -> ApiError {
    ApiError::new(ErrorCode::NotFound, msg)
}

/// An edit in progress: the transaction, the clock, and a source of fresh ids.
pub(crate) struct Writer<'t, 'd> {
    pub(crate) tx: &'t mut Transaction<'d>,
    pub(crate) now: Timestamp,
    pub(crate) new_id: &'t mut dyn FnMut() -> String,
}

type R<T> = Result<T, ApiError>;

impl Writer<'_, '_> {
    pub(super) fn put_str(&mut self, obj: &ObjId, key: &str, value: &str) -> R<()> {
        self.tx.put(obj, key, value).map_err(internal)
    }

    /// Sets a collaborative text: by diff when it exists, else as a new text object.
    pub(crate) fn put_text(&mut self, obj: &ObjId, key: &str, value: &str) -> R<()> {
        if let Some(text) = read::object(self.tx, obj, key, ObjType::Text) {
            return self.tx.update_text(&text, value).map_err(internal);
        }
        let text = self
            .tx
            .put_object(obj, key, ObjType::Text)
            .map_err(internal)?;
        self.tx.splice_text(&text, 0, 0, value).map_err(internal)
    }

    pub(super) fn put_ts(&mut self, obj: &ObjId, key: &str, ts: Timestamp) -> R<()> {
        self.tx
            .put(obj, key, ScalarValue::Timestamp(ts.as_millisecond()))
            .map_err(internal)
    }

    fn touch(&mut self, obj: &ObjId) -> R<()> {
        let now = self.now;
        self.put_ts(obj, UPDATED_AT, now)
    }

    pub(super) fn put_opt_date(&mut self, obj: &ObjId, key: &str, date: Option<Date>) -> R<()> {
        match date {
            Some(d) => self.put_str(obj, key, &d.to_string()),
            None => self.tx.delete(obj, key).map_err(internal),
        }
    }

    pub(super) fn collection(&mut self, c: Collection) -> R<ObjId> {
        if c.added_later()
            && read::object(self.tx, &automerge::ROOT, c.key(), ObjType::Map).is_none()
        {
            // Plans made before competencies existed get the map on first use
            // (new plans have it from the start, so no two devices race to make it).
            return self
                .tx
                .put_object(&automerge::ROOT, c.key(), ObjType::Map)
                .map_err(internal);
        }
        read::object(self.tx, &automerge::ROOT, c.key(), ObjType::Map).ok_or_else(|| {
            ApiError::new(
                ErrorCode::CorruptPlan,
                format!("plan document has no '{}' map", c.key()),
            )
        })
    }

    /// Resolves an id prefix within a collection.
    fn resolve(&mut self, c: Collection, prefix: &str) -> R<(String, ObjId)> {
        let ids = read::ids(self.tx, c);
        let id = ids::resolve(c.noun(), prefix, ids.iter().map(String::as_str))?.to_string();
        let obj = read::item(self.tx, c, &id)
            .ok_or_else(|| not_found(format!("no {} with id '{prefix}'", c.noun())))?;
        Ok((id, obj))
    }

    /// Creates an item map with a fresh id and its creation time.
    fn create(&mut self, c: Collection) -> R<(String, ObjId)> {
        let map = self.collection(c)?;
        let id = (self.new_id)();
        let obj = self
            .tx
            .put_object(&map, id.as_str(), ObjType::Map)
            .map_err(internal)?;
        let now = self.now;
        self.put_ts(&obj, CREATED_AT, now)?;
        Ok((id, obj))
    }

    /// The map at `position` (1-based) of a list, with its index.
    fn nth(
        &mut self,
        obj: &ObjId,
        key: &str,
        position: u32,
        what: &str,
    ) -> R<(ObjId, usize, ObjId)> {
        let list = read::object(self.tx, obj, key, ObjType::List)
            .ok_or_else(|| not_found(format!("no {what} {position}: there are none")))?;
        let len = self.tx.length(&list);
        let idx = position as usize - 1;
        if idx >= len {
            return Err(not_found(format!("no {what} {position}: there are {len}")));
        }
        match self.tx.get(&list, idx).map_err(internal)? {
            Some((automerge::Value::Object(ObjType::Map), item)) => Ok((list, idx, item)),
            _ => Err(not_found(format!("{what} {position} is unreadable"))),
        }
    }

    /// Appends a map with a fresh id to a list, creating the list if needed.
    fn push(&mut self, obj: &ObjId, key: &str) -> R<(String, ObjId)> {
        let list = match read::object(self.tx, obj, key, ObjType::List) {
            Some(l) => l,
            None => self
                .tx
                .put_object(obj, key, ObjType::List)
                .map_err(internal)?,
        };
        let len = self.tx.length(&list);
        let item = self
            .tx
            .insert_object(&list, len, ObjType::Map)
            .map_err(internal)?;
        let id = (self.new_id)();
        self.put_str(&item, "id", &id)?;
        Ok((id, item))
    }

    /// Applies one edit.
    pub(crate) fn apply(&mut self, edit: &Edit) -> R<Applied> {
        let root = automerge::ROOT;
        let done = |message: String, target: Target| Ok(Applied { message, target });
        match edit {
            Edit::PlanUpdate(p) => {
                let mut changed = Vec::new();
                for (key, value) in [
                    ("title", &p.title),
                    ("mentor", &p.mentor),
                    ("mentee", &p.mentee),
                ] {
                    if let Some(v) = value {
                        self.put_str(&root, key, v)?;
                        changed.push(key);
                    }
                }
                if let Some(s) = p.status {
                    self.put_str(&root, "status", s.as_str())?;
                }
                let title = read::string(self.tx, &root, "title");
                let message = match (changed.as_slice(), p.status) {
                    (["title"], None) => format!("plan rename: {title}"),
                    ([], Some(s)) => format!("plan status: {title} -> {s}"),
                    _ => format!("plan edit: {title}"),
                };
                done(message, Target::Plan)
            }
            Edit::AgreementEdit(a) => {
                let obj = match read::object(self.tx, &root, "agreement", ObjType::Map) {
                    Some(o) => o,
                    None => {
                        return Err(ApiError::new(
                            ErrorCode::CorruptPlan,
                            "plan document has no agreement map",
                        ));
                    }
                };
                let mut changed = Vec::new();
                for (key, value) in [
                    ("cadence", &a.cadence),
                    ("communication", &a.communication),
                    ("confidentiality", &a.confidentiality),
                    ("expectations", &a.expectations),
                ] {
                    if let Some(v) = value {
                        self.put_text(&obj, key, v)?;
                        changed.push(key);
                    }
                }
                done(
                    format!("agreement edit: {}", changed.join(", ")),
                    Target::Agreement,
                )
            }
            Edit::GoalAdd(g) => self.goal_add(g),
            Edit::GoalEdit { goal, patch } => {
                let (id, obj) = self.resolve(Collection::Goals, goal)?;
                if let Some(t) = &patch.title {
                    self.put_str(&obj, "title", t)?;
                }
                if let Some(t) = &patch.description {
                    self.put_text(&obj, "description", t)?;
                }
                if let Some(c) = patch.category {
                    self.put_str(&obj, "category", c.as_str())?;
                }
                if let Some(s) = patch.status {
                    self.put_str(&obj, "status", s.as_str())?;
                }
                if let Some(d) = patch.target_date {
                    self.put_opt_date(&obj, "target_date", d)?;
                }
                if let Some(t) = &patch.success_criteria {
                    self.put_text(&obj, "success_criteria", t)?;
                }
                match patch.progress {
                    Some(Some(p)) => self
                        .tx
                        .put(&obj, "progress", u64::from(p))
                        .map_err(internal)?,
                    Some(None) => self.tx.delete(&obj, "progress").map_err(internal)?,
                    None => {}
                }
                self.touch(&obj)?;
                let title = read::string(self.tx, &obj, "title");
                let message = match (patch.status, patch.progress) {
                    (Some(s), None)
                        if *patch
                            == (GoalPatch {
                                status: Some(s),
                                ..Default::default()
                            }) =>
                    {
                        format!("goal status: {title} -> {s}")
                    }
                    (None, Some(Some(p)))
                        if *patch
                            == (GoalPatch {
                                progress: Some(Some(p)),
                                ..Default::default()
                            }) =>
                    {
                        format!("goal progress: {title} -> {p}%")
                    }
                    _ => format!("goal edit: {title}"),
                };
                done(message, Target::Item(Collection::Goals, id))
            }
            Edit::GoalRm { goal } => self.remove(Collection::Goals, goal, "title"),
            Edit::MilestoneAdd { goal, title } => {
                let (id, obj) = self.resolve(Collection::Goals, goal)?;
                let (_, m) = self.push(&obj, "milestones")?;
                self.put_str(&m, "title", title)?;
                self.tx.put(&m, "done", false).map_err(internal)?;
                self.touch(&obj)?;
                let goal_title = read::string(self.tx, &obj, "title");
                done(
                    format!("milestone add: {goal_title}: {title}"),
                    Target::Item(Collection::Goals, id),
                )
            }
            Edit::MilestoneSet {
                goal,
                position,
                done: is_done,
            } => {
                let (id, obj) = self.resolve(Collection::Goals, goal)?;
                let (_, _, m) = self.nth(&obj, "milestones", *position, "milestone")?;
                self.tx.put(&m, "done", *is_done).map_err(internal)?;
                if *is_done {
                    let now = self.now;
                    self.put_ts(&m, "done_at", now)?;
                } else {
                    self.tx.delete(&m, "done_at").map_err(internal)?;
                }
                self.touch(&obj)?;
                let title = read::string(self.tx, &m, "title");
                let verb = if *is_done { "done" } else { "undone" };
                done(
                    format!("milestone {verb}: {title}"),
                    Target::Item(Collection::Goals, id),
                )
            }
            Edit::MilestoneRm { goal, position } => {
                let (id, obj) = self.resolve(Collection::Goals, goal)?;
                let (list, idx, m) = self.nth(&obj, "milestones", *position, "milestone")?;
                let title = read::string(self.tx, &m, "title");
                self.tx.delete(&list, idx).map_err(internal)?;
                self.touch(&obj)?;
                done(
                    format!("milestone rm: {title}"),
                    Target::Item(Collection::Goals, id),
                )
            }
            Edit::ActionAdd(a) => {
                let goal = a
                    .goal
                    .as_deref()
                    .map(|g| self.resolve(Collection::Goals, g))
                    .transpose()?;
                let meeting = a
                    .meeting
                    .as_deref()
                    .map(|m| self.resolve(Collection::Meetings, m))
                    .transpose()?;
                let (id, obj) = self.create(Collection::Actions)?;
                self.put_str(&obj, "title", &a.title)?;
                self.put_str(&obj, "owner", a.owner.as_str())?;
                self.put_str(&obj, "status", ActionStatus::Open.as_str())?;
                self.put_opt_date(&obj, "due", a.due)?;
                if let Some((g, _)) = goal {
                    self.put_str(&obj, "goal", &g)?;
                }
                if let Some((m, _)) = meeting {
                    self.put_str(&obj, "meeting", &m)?;
                }
                self.put_text(&obj, "notes", &a.notes)?;
                self.touch(&obj)?;
                done(
                    format!("action add: {}", a.title),
                    Target::Item(Collection::Actions, id),
                )
            }
            Edit::ActionEdit { action, patch } => {
                let (id, obj) = self.resolve(Collection::Actions, action)?;
                if let Some(t) = &patch.title {
                    self.put_str(&obj, "title", t)?;
                }
                if let Some(o) = patch.owner {
                    self.put_str(&obj, "owner", o.as_str())?;
                }
                if let Some(d) = patch.due {
                    self.put_opt_date(&obj, "due", d)?;
                }
                if let Some(t) = &patch.notes {
                    self.put_text(&obj, "notes", t)?;
                }
                if let Some(s) = patch.status {
                    self.put_str(&obj, "status", s.as_str())?;
                    match s {
                        ActionStatus::Done => {
                            let now = self.now;
                            self.put_ts(&obj, "done_at", now)?
                        }
                        ActionStatus::Open => self.tx.delete(&obj, "done_at").map_err(internal)?,
                    }
                }
                self.touch(&obj)?;
                let title = read::string(self.tx, &obj, "title");
                let verb = match patch.status {
                    Some(ActionStatus::Done) => "done",
                    Some(ActionStatus::Open) => "reopen",
                    None => "edit",
                };
                done(
                    format!("action {verb}: {title}"),
                    Target::Item(Collection::Actions, id),
                )
            }
            Edit::ActionRm { action } => self.remove(Collection::Actions, action, "title"),
            Edit::MeetingAdd(m) => {
                let (id, obj) = self.create(Collection::Meetings)?;
                self.put_str(&obj, "start", &m.start.to_string())?;
                self.tx
                    .put(&obj, "duration_minutes", u64::from(m.duration_minutes))
                    .map_err(internal)?;
                self.put_str(&obj, "location", &m.location)?;
                self.put_str(&obj, "status", MeetingStatus::Scheduled.as_str())?;
                self.put_text(&obj, "notes", "")?;
                self.tx
                    .put_object(&obj, "agenda", ObjType::List)
                    .map_err(internal)?;
                for text in &m.agenda {
                    let (_, item) = self.push(&obj, "agenda")?;
                    self.put_str(&item, "text", text)?;
                }
                self.touch(&obj)?;
                let when = m.start.strftime("%Y-%m-%d %H:%M %Z");
                done(
                    format!("meeting add: {when}"),
                    Target::Item(Collection::Meetings, id),
                )
            }
            Edit::MeetingEdit { meeting, patch } => {
                let (id, obj) = self.resolve(Collection::Meetings, meeting)?;
                if let Some(s) = &patch.start {
                    self.put_str(&obj, "start", &s.to_string())?;
                }
                if let Some(d) = patch.duration_minutes {
                    self.tx
                        .put(&obj, "duration_minutes", u64::from(d))
                        .map_err(internal)?;
                }
                if let Some(l) = &patch.location {
                    self.put_str(&obj, "location", l)?;
                }
                if let Some(n) = &patch.notes {
                    self.put_text(&obj, "notes", n)?;
                }
                if let Some(s) = patch.status {
                    self.put_str(&obj, "status", s.as_str())?;
                }
                self.touch(&obj)?;
                let start = read::string(self.tx, &obj, "start");
                let when = start
                    .parse::<jiff::ZonedDateTime>()
                    .map(|z| z.strftime("%Y-%m-%d %H:%M %Z").to_string())
                    .unwrap_or(start);
                let verb = match (patch.status, patch.notes.is_some()) {
                    (Some(MeetingStatus::Held), _) => "held",
                    (Some(MeetingStatus::Cancelled), _) => "cancel",
                    (None, true) => "notes",
                    _ => "edit",
                };
                done(
                    format!("meeting {verb}: {when}"),
                    Target::Item(Collection::Meetings, id),
                )
            }
            Edit::AgendaAdd { meeting, text } => {
                let (id, obj) = self.resolve(Collection::Meetings, meeting)?;
                let (_, item) = self.push(&obj, "agenda")?;
                self.put_str(&item, "text", text)?;
                self.touch(&obj)?;
                done(
                    format!("agenda add: {text}"),
                    Target::Item(Collection::Meetings, id),
                )
            }
            Edit::AgendaRm { meeting, position } => {
                let (id, obj) = self.resolve(Collection::Meetings, meeting)?;
                let (list, idx, item) = self.nth(&obj, "agenda", *position, "agenda item")?;
                let text = read::string(self.tx, &item, "text");
                self.tx.delete(&list, idx).map_err(internal)?;
                self.touch(&obj)?;
                done(
                    format!("agenda rm: {text}"),
                    Target::Item(Collection::Meetings, id),
                )
            }
            Edit::FeedbackAdd {
                author,
                goal,
                kind,
                body,
            } => {
                let goal = goal
                    .as_deref()
                    .map(|g| self.resolve(Collection::Goals, g))
                    .transpose()?;
                let (id, obj) = self.create(Collection::Feedback)?;
                self.put_str(&obj, "author", author)?;
                if let Some((g, _)) = goal {
                    self.put_str(&obj, "goal", &g)?;
                }
                self.put_str(&obj, "kind", kind.as_str())?;
                self.put_text(&obj, "body", body)?;
                done(
                    format!("feedback add: {kind} from {author}"),
                    Target::Item(Collection::Feedback, id),
                )
            }
            Edit::NoteAdd { author, body, tags } => {
                let (id, obj) = self.create(Collection::Notes)?;
                self.put_str(&obj, "author", author)?;
                self.put_text(&obj, "body", body)?;
                let list = self
                    .tx
                    .put_object(&obj, "tags", ObjType::List)
                    .map_err(internal)?;
                for (i, t) in tags.iter().enumerate() {
                    self.tx.insert(&list, i, t.as_str()).map_err(internal)?;
                }
                done(
                    format!("note add: {}", first_line(body)),
                    Target::Item(Collection::Notes, id),
                )
            }
            Edit::MemberAdd {
                peer,
                name,
                role,
                device,
            } => {
                let members = self.members_map()?;
                let m = match read::object(self.tx, &members, peer, ObjType::Map) {
                    Some(m) => m,
                    None => {
                        let m = self
                            .tx
                            .put_object(&members, peer.as_str(), ObjType::Map)
                            .map_err(internal)?;
                        let now = self.now;
                        self.put_ts(&m, "added_at", now)?;
                        m
                    }
                };
                self.put_str(&m, "name", name)?;
                self.put_str(&m, "role", role.as_str())?;
                self.put_str(&m, "device", device)?;
                // Added again after a removal: no longer a removed device.
                if let Some(removed) =
                    read::object(self.tx, &automerge::ROOT, layout::REMOVED, ObjType::Map)
                    && read::object(self.tx, &removed, peer, ObjType::Map).is_some()
                {
                    self.tx.delete(&removed, peer.as_str()).map_err(internal)?;
                }
                let label = if device.is_empty() {
                    String::new()
                } else {
                    format!(" ({device})")
                };
                done(
                    format!("member add: {name}{label} as {role}, {peer}"),
                    Target::Member(peer.clone()),
                )
            }
            Edit::MemberRemove { peer } => {
                let members = self.members_map()?;
                let all = read::members(self.tx);
                let peer = resolve_peer(&all, peer)?;
                let Some(gone) = all.iter().find(|m| m.peer == peer) else {
                    return Err(not_found(format!("no member device '{peer}'")));
                };
                let mentors = all.iter().filter(|m| m.role == Role::Mentor).count();
                if gone.role == Role::Mentor && mentors == 1 {
                    return Err(ApiError::new(
                        ErrorCode::Invalid,
                        format!(
                            "{} is the plan's only mentor device; add another mentor device first",
                            gone.peer
                        ),
                    ));
                }
                let message = format!(
                    "member remove: {} ({}), {}",
                    gone.name, gone.role, gone.peer
                );
                self.tx.delete(&members, peer.as_str()).map_err(internal)?;
                // Remembered, so a device removed while it was offline is
                // told so when it next connects (its removal is this change).
                let removed =
                    match read::object(self.tx, &automerge::ROOT, layout::REMOVED, ObjType::Map) {
                        Some(r) => r,
                        None => self
                            .tx
                            .put_object(&automerge::ROOT, layout::REMOVED, ObjType::Map)
                            .map_err(internal)?,
                    };
                let record = self
                    .tx
                    .put_object(&removed, peer.as_str(), ObjType::Map)
                    .map_err(internal)?;
                self.put_str(&record, "name", &gone.name)?;
                self.put_str(&record, "role", gone.role.as_str())?;
                let now = self.now;
                self.put_ts(&record, "removed_at", now)?;
                done(message, Target::MemberRemoved(peer))
            }
            Edit::ContactAdd {
                name,
                organization,
                how_met,
                introduced_by,
                notes,
            } => {
                let (id, obj) = self.create(Collection::Contacts)?;
                self.put_str(&obj, "name", name)?;
                self.put_str(&obj, "organization", organization)?;
                self.put_str(&obj, "how_met", how_met)?;
                self.put_str(&obj, "introduced_by", introduced_by)?;
                self.put_text(&obj, "notes", notes)?;
                done(
                    format!("contact add: {name}"),
                    Target::Item(Collection::Contacts, id),
                )
            }
            Edit::CompetencyAdd { system } => {
                let (id, obj) = self.create(Collection::Competencies)?;
                self.put_str(&obj, "system", system)?;
                self.put_str(
                    &obj,
                    "stage",
                    tandem_proto::model::CompetencyStage::Training.as_str(),
                )?;
                // Made with the record, never lazily, so concurrent edits share them.
                for key in ["assessments", "signoffs"] {
                    self.tx
                        .put_object(&obj, key, ObjType::Map)
                        .map_err(internal)?;
                }
                done(
                    format!("competency add: {system}"),
                    Target::Item(Collection::Competencies, id),
                )
            }
            Edit::CompetencyStage {
                competency,
                stage,
                trained_on,
            } => {
                let (id, obj) = self.resolve(Collection::Competencies, competency)?;
                self.put_str(&obj, "stage", stage.as_str())?;
                if trained_on.is_some() {
                    self.put_opt_date(&obj, "trained_on", *trained_on)?;
                }
                self.touch(&obj)?;
                let system = read::string(self.tx, &obj, "system");
                done(
                    format!("competency stage: {system} is {}", stage.as_str()),
                    Target::Item(Collection::Competencies, id),
                )
            }
            Edit::CompetencyAssess {
                competency,
                element,
                date,
                assessor,
                method,
                result,
            } => {
                let (id, obj) = self.resolve(Collection::Competencies, competency)?;
                let map = self.sub_map(&obj, "assessments")?;
                self.put_assessment(
                    &map,
                    &tandem_proto::model::Assessment {
                        element: *element,
                        date: *date,
                        assessor: assessor.clone(),
                        method: method.clone(),
                        result: *result,
                    },
                )?;
                self.touch(&obj)?;
                let system = read::string(self.tx, &obj, "system");
                done(
                    format!(
                        "competency assess: {system}, element {element}: {} ({assessor})",
                        result.as_str()
                    ),
                    Target::Item(Collection::Competencies, id),
                )
            }
            Edit::CompetencySignoff {
                competency,
                signoff,
            } => {
                let Some(s) = signoff else {
                    return Err(ApiError::new(
                        ErrorCode::Invalid,
                        "a sign-off must be signed by the daemon",
                    ));
                };
                let (id, obj) = self.resolve(Collection::Competencies, competency)?;
                let map = self.sub_map(&obj, "signoffs")?;
                let key = (self.new_id)();
                self.put_signoff(&map, &key, s)?;
                self.touch(&obj)?;
                let system = read::string(self.tx, &obj, "system");
                done(
                    format!("competency signoff: {system}, by {}", s.name),
                    Target::Item(Collection::Competencies, id),
                )
            }
            Edit::CeAdd {
                title,
                provider,
                date,
                points,
                category,
                certificate,
            } => {
                let (id, obj) = self.create(Collection::Ce)?;
                self.put_str(&obj, "title", title)?;
                self.put_str(&obj, "provider", provider)?;
                self.put_str(&obj, "date", &date.to_string())?;
                self.tx.put(&obj, "points", *points).map_err(internal)?;
                self.put_str(&obj, "category", category)?;
                self.put_str(&obj, "certificate", certificate)?;
                done(
                    format!("ce add: {title} ({points} points)"),
                    Target::Item(Collection::Ce, id),
                )
            }
            Edit::CeRm { ce } => self.remove(Collection::Ce, ce, "title"),
            Edit::CertAdd {
                credential,
                status,
                exam_date,
                earned_on,
                renewal_due,
                ce_required,
            } => {
                let (id, obj) = self.create(Collection::Certifications)?;
                self.put_str(&obj, "credential", credential)?;
                let dates = [*exam_date, *earned_on, *renewal_due];
                self.put_cert(&obj, Some(*status), dates, *ce_required)?;
                done(
                    format!("cert add: {credential} ({})", status.as_str()),
                    Target::Item(Collection::Certifications, id),
                )
            }
            Edit::CertUpdate {
                cert,
                status,
                exam_date,
                earned_on,
                renewal_due,
                ce_required,
            } => {
                let (id, obj) = self.resolve(Collection::Certifications, cert)?;
                let dates = [*exam_date, *earned_on, *renewal_due];
                self.put_cert(&obj, *status, dates, *ce_required)?;
                self.touch(&obj)?;
                let credential = read::string(self.tx, &obj, "credential");
                done(
                    format!("cert update: {credential}"),
                    Target::Item(Collection::Certifications, id),
                )
            }
            Edit::CompetencySchedule(schedule) => {
                let json = serde_json::to_string(schedule)
                    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
                self.put_str(&automerge::ROOT, layout::COMPETENCY_SCHEDULE, &json)?;
                let first: Vec<String> = schedule.first.iter().map(u32::to_string).collect();
                done(
                    format!(
                        "competency schedule: after {} months, then every {}",
                        first.join(", "),
                        schedule.every
                    ),
                    Target::Plan,
                )
            }
        }
    }

    /// Writes one assessed element into a competency's `assessments` map
    /// (replacing an earlier assessment of the same element).
    pub(super) fn put_assessment(
        &mut self,
        map: &ObjId,
        a: &tandem_proto::model::Assessment,
    ) -> R<()> {
        let o = self
            .tx
            .put_object(map, a.element.to_string().as_str(), ObjType::Map)
            .map_err(internal)?;
        self.put_str(&o, "date", &a.date.to_string())?;
        self.put_str(&o, "assessor", &a.assessor)?;
        self.put_str(&o, "method", &a.method)?;
        self.put_str(&o, "result", a.result.as_str())
    }

    /// Writes one sign-off under `key` in a competency's `signoffs` map.
    pub(super) fn put_signoff(
        &mut self,
        map: &ObjId,
        key: &str,
        s: &tandem_proto::model::Signoff,
    ) -> R<()> {
        let o = self
            .tx
            .put_object(map, key, ObjType::Map)
            .map_err(internal)?;
        self.put_str(&o, "assessor", &s.assessor)?;
        self.put_str(&o, "name", &s.name)?;
        self.put_ts(&o, "signed_at", s.signed_at)?;
        self.put_str(&o, "public_key", &s.public_key)?;
        self.put_str(&o, "signature", &s.signature)
    }

    /// Writes a certification's fields that are given; `None` leaves one as it is.
    pub(super) fn put_cert(
        &mut self,
        obj: &ObjId,
        status: Option<tandem_proto::model::CertStatus>,
        [exam, earned, renewal]: [Option<Date>; 3],
        ce_required: Option<f64>,
    ) -> R<()> {
        if let Some(s) = status {
            self.put_str(obj, "status", s.as_str())?;
        }
        for (key, d) in [
            ("exam_date", exam),
            ("earned_on", earned),
            ("renewal_due", renewal),
        ] {
            if d.is_some() {
                self.put_opt_date(obj, key, d)?;
            }
        }
        if let Some(p) = ce_required {
            self.tx.put(obj, "ce_required", p).map_err(internal)?;
        }
        Ok(())
    }

    /// A map inside an item, made with it.
    fn sub_map(&mut self, obj: &ObjId, key: &str) -> R<ObjId> {
        read::object(self.tx, obj, key, ObjType::Map).ok_or_else(|| {
            ApiError::new(ErrorCode::CorruptPlan, format!("record has no '{key}' map"))
        })
    }

    /// The members map; plans made before members existed get one on first use.
    fn members_map(&mut self) -> R<ObjId> {
        match read::object(self.tx, &automerge::ROOT, layout::MEMBERS, ObjType::Map) {
            Some(m) => Ok(m),
            None => self
                .tx
                .put_object(&automerge::ROOT, layout::MEMBERS, ObjType::Map)
                .map_err(internal),
        }
    }

    fn goal_add(&mut self, g: &NewGoal) -> R<Applied> {
        let (id, obj) = self.create(Collection::Goals)?;
        self.put_str(&obj, "title", &g.title)?;
        self.put_text(&obj, "description", &g.description)?;
        self.put_str(&obj, "category", g.category.as_str())?;
        self.put_str(&obj, "status", g.status.as_str())?;
        self.put_opt_date(&obj, "target_date", g.target_date)?;
        self.put_text(&obj, "success_criteria", &g.success_criteria)?;
        self.tx
            .put_object(&obj, "milestones", ObjType::List)
            .map_err(internal)?;
        self.put_str(&obj, "created_by", &g.created_by)?;
        self.touch(&obj)?;
        Ok(Applied {
            message: format!("goal add: {}", g.title),
            target: Target::Item(Collection::Goals, id),
        })
    }

    fn remove(&mut self, c: Collection, prefix: &str, label_key: &str) -> R<Applied> {
        let (id, obj) = self.resolve(c, prefix)?;
        let label = read::string(self.tx, &obj, label_key);
        let map = self.collection(c)?;
        self.tx.delete(&map, id.as_str()).map_err(internal)?;
        Ok(Applied {
            message: format!("{} rm: {label}", c.noun()),
            target: Target::Removed(c, id),
        })
    }

    /// Records who is behind this transaction's actor, once per plan.
    pub(crate) fn register_device(
        &mut self,
        actor_hex: &str,
        user: &str,
        host: &str,
        peer: &str,
    ) -> R<()> {
        let devices = match read::object(self.tx, &automerge::ROOT, layout::DEVICES, ObjType::Map) {
            Some(d) => d,
            None => return Ok(()),
        };
        if read::object(self.tx, &devices, actor_hex, ObjType::Map).is_some() {
            return Ok(());
        }
        let dev = self
            .tx
            .put_object(&devices, actor_hex, ObjType::Map)
            .map_err(internal)?;
        self.put_str(&dev, "user", user)?;
        self.put_str(&dev, "host", host)?;
        self.put_str(&dev, "peer", peer)
    }
}

/// A member's PeerId from an exact id or a unique prefix.
pub(crate) fn resolve_peer(members: &[tandem_proto::model::Member], given: &str) -> R<String> {
    if let Some(m) = members.iter().find(|m| m.peer == given) {
        return Ok(m.peer.clone());
    }
    let found: Vec<&str> = members
        .iter()
        .map(|m| m.peer.as_str())
        .filter(|p| p.starts_with(given))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(not_found(format!("no member device '{given}'"))),
        many => Err(ApiError::new(
            ErrorCode::Ambiguous,
            format!(
                "member '{given}' is ambiguous: it matches {}",
                many.join(", ")
            ),
        )),
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line.to_string(),
    }
}
