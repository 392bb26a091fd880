//! Command-line syntax (clap derive). Doc comments here are the help text.
//!
//! Parsing only: turning these into requests, with validation, happens in `cmd`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Tandem: local-first mentoring plans for lab technicians.
#[derive(Debug, Parser)]
#[command(
    name = "tandem",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Plan to act on (id or unique prefix); default: the current plan, or the only one.
    #[arg(long, global = true, value_name = "ID", env = "TANDEM_PLAN")]
    pub plan: Option<String>,
    /// Home directory of the daemon (default: $TANDEM_HOME, else $XDG_DATA_HOME/tandem).
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Do not start the daemon when it is not running (also: TANDEM_NO_AUTOSTART=1).
    #[arg(long, global = true)]
    pub no_autostart: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, list, show and select plans.
    #[command(subcommand)]
    Plan(PlanCmd),
    /// Goals and their milestones.
    #[command(subcommand)]
    Goal(GoalCmd),
    /// Action items.
    #[command(subcommand)]
    Action(ActionCmd),
    /// Meetings, agendas and notes.
    #[command(subcommand)]
    Meeting(MeetingCmd),
    /// Feedback between mentor and mentee.
    #[command(subcommand)]
    Feedback(FeedbackCmd),
    /// Journal notes.
    #[command(subcommand)]
    Note(NoteCmd),
    /// Networking contacts.
    #[command(subcommand)]
    Contact(ContactCmd),
    /// The mentoring agreement.
    #[command(subcommand)]
    Agreement(AgreementCmd),
    /// History of the plan: who changed what, and when.
    Log {
        /// Show at most this many changes.
        #[arg(long, short = 'n')]
        limit: Option<usize>,
    },
    /// Export the plan as JSON (versioned schema), a Markdown report, or an iCalendar (.ics) of meetings and due dates.
    Export {
        /// Output format.
        #[arg(long, short, value_parser = ["json", "markdown", "ics"], default_value = "markdown")]
        format: String,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Make a new plan from a JSON export (`tandem export --format json`).
    ///
    /// Every item keeps its id, dates and fields; the plan gets a new id and
    /// this device as its only member (invite the others again). It becomes
    /// the current plan. Sign-offs come along but attest the original plan,
    /// so they do not verify in the copy.
    Import {
        /// The export file (`-` reads it from stdin).
        file: PathBuf,
    },
    /// Start, stop or query the background daemon.
    #[command(subcommand)]
    Daemon(DaemonCmd),
    /// This device's identity (its PeerId names it in member lists).
    #[command(subcommand)]
    Device(DeviceCmd),
    /// Devices a plan is shared with.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Other devices this daemon talks to.
    #[command(subcommand)]
    Peer(PeerCmd),
    /// Competencies (CLIA-style): stages, the six assessment elements, signed sign-offs.
    #[command(subcommand)]
    Competency(CompetencyCmd),
    /// What needs attention: the next meeting, late and coming actions by
    /// owner, goals near their date or stuck, competencies and certifications
    /// coming due, and a pair that has not met for 21 days.
    Agenda {
        /// How many days ahead to look (also: what counts as stuck).
        #[arg(long, default_value_t = 14)]
        days: u16,
    },
    /// Continuing education: log activities, see totals per certification cycle.
    #[command(subcommand)]
    Ce(CeCmd),
    /// Certifications (MLS, MLT, PBT, HT, ...): exam dates, status, renewal.
    #[command(subcommand)]
    Cert(CertCmd),
    /// Sync by file with devices that are never on a network: signed bundles
    /// carried on a USB stick.
    #[command(subcommand)]
    Bundle(BundleCmd),
    /// Check this device's connectivity, explain what is wrong, and suggest fixes.
    Doctor,
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    ///
    /// bash: `tandem completions bash > ~/.local/share/bash-completion/completions/tandem`;
    /// zsh: into a directory on $fpath as `_tandem`; fish: `~/.config/fish/completions/tandem.fish`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write man pages (tandem.1 and one per subcommand) into a directory.
    Man {
        /// Where to write them, e.g. ~/.local/share/man/man1.
        dir: PathBuf,
    },
    /// Invite someone to the plan: prints a one-line ticket for `tandem join`.
    /// Also `invite list` and `invite revoke ID`.
    Invite(InviteArgs),
    /// Join a plan with a ticket from `tandem invite` or `tandem device link`.
    Join {
        /// The ticket (`-` reads it from stdin).
        ticket: String,
        /// Your name, as the plan will show it (ignored for a device link).
        #[arg(long, default_value = "")]
        name: String,
        /// A label for this device, e.g. "home laptop".
        #[arg(long, default_value = "")]
        device: String,
        /// How long to wait for the plan to arrive after joining.
        #[arg(long, default_value = "60s")]
        timeout: String,
    },
    /// This device, its listen addresses, and its peers.
    Status,
    /// Stream events (changes, peers, sync) until interrupted; with --json, one JSON object per line.
    Watch,
    /// Show how far connected member devices are in syncing the plan.
    Sync {
        /// Wait until every connected member device (or --peer) has all our changes.
        #[arg(long)]
        wait: bool,
        /// Only this peer (PeerId); with --wait, also wait for it to connect.
        #[arg(long)]
        peer: Option<String>,
        /// Give up waiting after this long (e.g. 30s, 2m); exits 1.
        #[arg(long, default_value = "60s")]
        timeout: String,
    },
}

/// Peer commands.
#[derive(Debug, Subcommand)]
pub enum PeerCmd {
    /// Dial a peer, e.g. /ip4/192.0.2.7/tcp/4455/p2p/12D3KooW...; it is redialed when the link drops.
    Add {
        /// A multiaddr ending in /p2p/PEER-ID.
        addr: String,
    },
    /// List known peers.
    List {
        /// Only peers that connected but are a member of no plan here (untrusted).
        #[arg(long)]
        pending: bool,
    },
    /// Stop dialing a peer and drop it from the address book.
    Forget {
        /// Its PeerId.
        peer: String,
    },
}

/// Device commands.
#[derive(Debug, Subcommand)]
pub enum DeviceCmd {
    /// Show this device's PeerId.
    Show,
    /// Print a ticket that makes another device of yours a member of the
    /// plan with your name and role (run `tandem join TICKET` there).
    Link {
        /// How long the ticket is valid, e.g. 30m, 48h, 7d.
        #[arg(long, default_value = "1h")]
        expires: String,
        /// Also print the ticket as a QR code.
        #[arg(long)]
        qr: bool,
    },
    /// List the devices of a person in the plan (default: yours).
    List {
        /// Whose devices (a name in the member list).
        #[arg(long)]
        name: Option<String>,
    },
}

/// `tandem invite`: make an invitation, or manage them.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct InviteArgs {
    /// list or revoke.
    #[command(subcommand)]
    pub cmd: Option<InviteCmd>,
    /// The role granted: mentee, mentor or observer.
    #[arg(long, default_value = "mentee")]
    pub role: String,
    /// The invitee's name (else they choose it when joining).
    #[arg(long, default_value = "")]
    pub name: String,
    /// How long the ticket is valid, e.g. 30m, 48h, 7d.
    #[arg(long, default_value = "48h")]
    pub expires: String,
    /// How many devices may join with it.
    #[arg(long, default_value_t = 1)]
    pub uses: u32,
    /// Also print the ticket as a QR code.
    #[arg(long)]
    pub qr: bool,
}

/// Competency commands.
#[derive(Debug, Subcommand)]
pub enum CompetencyCmd {
    /// Start a competency record for a test system or procedure.
    Add {
        /// The test system or procedure, e.g. "Sysmex XN-1000 CBC".
        system: String,
    },
    /// List competency records with their stage, elements, sign-offs and next due date.
    List,
    /// One record in full, with each sign-off verified.
    Show {
        /// Its id (or a unique prefix).
        id: String,
    },
    /// Move a record to training, supervised or independent.
    Stage {
        /// Its id (or a unique prefix).
        id: String,
        /// training, supervised or independent.
        stage: String,
        /// When training was completed (reassessments fall due from it), e.g. 2026-11-30, today.
        #[arg(long)]
        trained_on: Option<String>,
    },
    /// Record one of the six assessment elements (see `tandem competency elements`).
    Assess {
        /// Its id (or a unique prefix).
        id: String,
        /// The element, 1 to 6.
        #[arg(long, short)]
        element: u8,
        /// pass or needs-work.
        #[arg(long, short)]
        result: String,
        /// Who assessed it.
        #[arg(long, short)]
        assessor: String,
        /// When (default: today).
        #[arg(long, short, default_value = "today")]
        date: String,
        /// How: method, samples, records reviewed (`-` reads stdin).
        #[arg(long, short, default_value = "")]
        method: String,
    },
    /// Sign off a record with this device's key (mentor devices only; all six elements passed).
    Signoff {
        /// Its id (or a unique prefix).
        id: String,
    },
    /// Check every sign-off (or one record's) against the record as it is now; exits 1 if any fails.
    Verify {
        /// Only this record.
        id: Option<String>,
    },
    /// A printable competency record (all records, or one), with each sign-off's verification.
    Record {
        /// Only this record.
        id: Option<String>,
        /// markdown or html.
        #[arg(long, short, value_parser = ["markdown", "html"], default_value = "markdown")]
        format: String,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Set when competencies fall due again, in months after training.
    Schedule {
        /// The first-year assessments, e.g. 6,12.
        #[arg(long, value_delimiter = ',', default_value = "6,12")]
        first: Vec<u32>,
        /// Then every so many months.
        #[arg(long, default_value_t = 12)]
        every: u32,
    },
    /// The six CLIA assessment elements.
    Elements,
}

/// CE commands.
#[derive(Debug, Subcommand)]
pub enum CeCmd {
    /// Log a completed activity.
    Add {
        /// What it was.
        #[arg(long)]
        title: String,
        /// Who offered it.
        #[arg(long, default_value = "")]
        provider: String,
        /// When it was completed (default: today).
        #[arg(long, default_value = "today")]
        date: String,
        /// Contact hours (ASCP CMP: 1 hour = 1 point).
        #[arg(
            long,
            conflicts_with = "points",
            required_unless_present = "points",
            allow_negative_numbers = true
        )]
        hours: Option<f64>,
        /// Points.
        #[arg(long, allow_negative_numbers = true)]
        points: Option<f64>,
        /// Content area, e.g. safety, hematology.
        #[arg(long, default_value = "")]
        category: String,
        /// The certificate: a file (its path and SHA-256 are recorded) or any reference.
        #[arg(long, default_value = "")]
        certificate: String,
    },
    /// List activities, newest first.
    List,
    /// Remove an activity.
    Rm {
        /// Its id (or a unique prefix).
        id: String,
    },
    /// Totals for each earned certification's cycle against its requirement.
    Summary,
}

/// Bundle commands.
#[derive(Debug, Subcommand)]
pub enum BundleCmd {
    /// Write the plan, or what one member device lacks, as a file signed by this device.
    Export {
        /// Only the changes this member device (PeerId or prefix) is not known to have.
        #[arg(long = "for", value_name = "PEER", conflicts_with = "all")]
        for_peer: Option<String>,
        /// The whole plan (the default).
        #[arg(long)]
        all: bool,
        /// The file to write (`-`: stdout).
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Check a bundle's signature against the plan's members, and merge it.
    /// Importing the same bundle again changes nothing.
    Import {
        /// The bundle file (`-`: stdin).
        file: PathBuf,
    },
}

/// Certification commands.
#[derive(Debug, Subcommand)]
pub enum CertCmd {
    /// Record a credential.
    Add {
        /// The credential, e.g. MLS, MLT, PBT, HT.
        credential: String,
        /// planned, scheduled, earned or expired.
        #[arg(long, default_value = "planned")]
        status: String,
        /// Dates and CE requirement.
        #[command(flatten)]
        fields: CertFields,
    },
    /// List credentials.
    List,
    /// Change a credential.
    Update {
        /// Its id (or a unique prefix).
        id: String,
        /// planned, scheduled, earned or expired.
        #[arg(long)]
        status: Option<String>,
        /// Dates and CE requirement to change.
        #[command(flatten)]
        fields: CertFields,
    },
}

/// The optional fields of a certification, shared by `cert add` and `cert update`.
#[derive(Debug, clap::Args)]
pub struct CertFields {
    /// Target or booked exam date.
    #[arg(long)]
    pub exam_date: Option<String>,
    /// When it was earned.
    #[arg(long)]
    pub earned_on: Option<String>,
    /// When renewal is due (end of the CE cycle).
    #[arg(long)]
    pub renewal_due: Option<String>,
    /// CE points required per cycle (check your certifying body).
    #[arg(long)]
    pub ce_required: Option<f64>,
}

/// Invitation commands.
#[derive(Debug, Subcommand)]
pub enum InviteCmd {
    /// List the plan's invitations (with --plan) or all of them.
    List,
    /// Revoke an invitation: no one can join with it any more.
    Revoke {
        /// Its id (or a unique prefix), from `tandem invite list`.
        id: String,
    },
}

/// Member commands.
#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Share the plan with a device, by its PeerId (see `tandem device show` there).
    Add {
        /// The device's PeerId (12D3KooW...).
        peer: String,
        /// The person using the device.
        #[arg(long)]
        name: String,
        /// mentor, mentee or observer.
        #[arg(long, default_value = "mentee")]
        role: String,
        /// A label for the device, e.g. "home laptop".
        #[arg(long, default_value = "")]
        device: String,
    },
    /// List the plan's member devices.
    List,
    /// Stop sharing the plan with a device.
    Remove {
        /// The device's PeerId or a unique prefix of it.
        peer: String,
    },
}

/// Plan commands.
#[derive(Debug, Subcommand)]
pub enum PlanCmd {
    /// Create a plan and make it current.
    New {
        /// Title of the plan.
        title: String,
        /// The mentor's name.
        #[arg(long, default_value = "")]
        mentor: String,
        /// The mentee's name.
        #[arg(long, default_value = "")]
        mentee: String,
        /// Seed it from a template (see `tandem plan templates`).
        #[arg(long)]
        template: Option<String>,
    },
    /// List the templates `plan new --template` can use.
    Templates,
    /// List plans.
    List,
    /// Show a plan: people, agreement, goals, open actions, next meeting.
    Show {
        /// Plan id or prefix (default: the current plan).
        id: Option<String>,
    },
    /// Make a plan the current one.
    Use {
        /// Plan id or prefix.
        id: String,
    },
    /// Rename the plan.
    Rename {
        /// New title.
        title: String,
    },
    /// Archive the plan (or bring it back with --undo).
    Archive {
        /// Make the plan active again.
        #[arg(long)]
        undo: bool,
    },
    /// Set the plan's status, mentor or mentee.
    Set {
        /// active, completed or archived.
        #[arg(long)]
        status: Option<String>,
        /// The mentor's name.
        #[arg(long)]
        mentor: Option<String>,
        /// The mentee's name.
        #[arg(long)]
        mentee: Option<String>,
    },
    /// Plans offered by devices this one shares no plan with, waiting for
    /// you to accept or decline them (a plan you join with a ticket needs no consent).
    Pending,
    /// Accept an offered plan: it is stored here and syncs from then on.
    /// Given the whole id of a plan not offered yet (say a mentor added this
    /// device and told you its id), it is stored as soon as it arrives.
    Accept {
        /// The offered plan's id or prefix (see `tandem plan pending`).
        id: String,
    },
    /// Decline an offered plan: it is forgotten and refused from then on.
    Decline {
        /// The offered plan's id or prefix (see `tandem plan pending`).
        id: String,
    },
}

/// A long text: literal, `-` for stdin, or --editor.
#[derive(Debug, Args, Clone, Default)]
pub struct EditorFlag {
    /// Write the long text in $VISUAL / $EDITOR.
    #[arg(long, short = 'e')]
    pub editor: bool,
}

/// Goal commands.
#[derive(Debug, Subcommand)]
pub enum GoalCmd {
    /// Add a goal.
    Add {
        /// Title.
        title: String,
        /// Description (`-` reads stdin).
        #[arg(long, short)]
        description: Option<String>,
        /// skill, certification, career, networking, knowledge or other.
        #[arg(long, short, default_value = "skill")]
        category: String,
        /// proposed, active, done or dropped.
        #[arg(long, short, default_value = "active")]
        status: String,
        /// Target date: YYYY-MM-DD, tomorrow, friday, +3w, "in 2 months", ...
        #[arg(long, short)]
        target: Option<String>,
        /// How both sides will know the goal is reached (`-` reads stdin).
        #[arg(long)]
        criteria: Option<String>,
        /// Who creates it (default: $TANDEM_USER or $USER).
        #[arg(long)]
        author: Option<String>,
        #[command(flatten)]
        editor: EditorFlag,
    },
    /// List goals.
    List {
        /// Only goals with this status.
        #[arg(long, short)]
        status: Option<String>,
        /// Only goals of this category.
        #[arg(long, short)]
        category: Option<String>,
    },
    /// Show a goal with its milestones, actions and feedback.
    Show {
        /// Goal id or prefix.
        id: String,
    },
    /// Change a goal's fields.
    Edit {
        /// Goal id or prefix.
        id: String,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New description (`-` reads stdin).
        #[arg(long, short)]
        description: Option<String>,
        /// New category.
        #[arg(long, short)]
        category: Option<String>,
        /// New target date, or `none` to clear it.
        #[arg(long, short)]
        target: Option<String>,
        /// New success criteria (`-` reads stdin).
        #[arg(long)]
        criteria: Option<String>,
        #[command(flatten)]
        editor: EditorFlag,
    },
    /// Set a goal's status: proposed, active, done or dropped.
    Status {
        /// Goal id or prefix.
        id: String,
        /// New status.
        status: String,
    },
    /// Set progress 0-100, or `auto` to derive it from milestones.
    Progress {
        /// Goal id or prefix.
        id: String,
        /// 0-100, or auto.
        value: String,
    },
    /// Remove a goal.
    Rm {
        /// Goal id or prefix.
        id: String,
    },
    /// Milestones of a goal.
    #[command(subcommand)]
    Milestone(MilestoneCmd),
}

/// Milestone commands.
#[derive(Debug, Subcommand)]
pub enum MilestoneCmd {
    /// Append a milestone.
    Add {
        /// Goal id or prefix.
        goal: String,
        /// Milestone title.
        title: String,
    },
    /// Mark milestone N (1-based) done.
    Done {
        /// Goal id or prefix.
        goal: String,
        /// Position, from 1.
        n: u32,
        /// Mark it not done.
        #[arg(long)]
        undo: bool,
    },
    /// Remove milestone N (1-based).
    Rm {
        /// Goal id or prefix.
        goal: String,
        /// Position, from 1.
        n: u32,
    },
}

/// Action commands.
#[derive(Debug, Subcommand)]
pub enum ActionCmd {
    /// Add an action item.
    Add {
        /// What to do.
        title: String,
        /// mentor, mentee or both.
        #[arg(long, short, default_value = "mentee")]
        owner: String,
        /// Due date.
        #[arg(long, short)]
        due: Option<String>,
        /// Goal it serves (id or prefix).
        #[arg(long, short)]
        goal: Option<String>,
        /// Meeting it came from (id or prefix).
        #[arg(long, short)]
        meeting: Option<String>,
        /// Notes (`-` reads stdin).
        #[arg(long)]
        notes: Option<String>,
        #[command(flatten)]
        editor: EditorFlag,
    },
    /// List action items.
    List {
        /// Only open items.
        #[arg(long)]
        open: bool,
        /// Only open items past their due date.
        #[arg(long)]
        overdue: bool,
        /// Only items of this owner (mentor, mentee, both).
        #[arg(long)]
        owner: Option<String>,
        /// Only items linked to this goal.
        #[arg(long)]
        goal: Option<String>,
    },
    /// Mark an action item done.
    Done {
        /// Action id or prefix.
        id: String,
    },
    /// Mark an action item open again.
    Reopen {
        /// Action id or prefix.
        id: String,
    },
    /// Remove an action item.
    Rm {
        /// Action id or prefix.
        id: String,
    },
}

/// Meeting commands.
#[derive(Debug, Subcommand)]
pub enum MeetingCmd {
    /// Schedule a meeting.
    Add {
        /// Start: "2026-12-01 10:00" (local), "tomorrow 14:30", or with a zone "2026-12-01T10:00[Europe/Berlin]".
        start: String,
        /// Length: minutes, or a span like 45m or 1h30m.
        #[arg(long, short, default_value = "30m")]
        duration: String,
        /// Room or link.
        #[arg(long, short, default_value = "")]
        location: String,
        /// Agenda item (repeat for several).
        #[arg(long, short)]
        agenda: Vec<String>,
    },
    /// List meetings.
    List {
        /// Only scheduled meetings from now on.
        #[arg(long)]
        upcoming: bool,
    },
    /// Show a meeting with its agenda, notes and actions.
    Show {
        /// Meeting id or prefix.
        id: String,
    },
    /// Add an item to a meeting's agenda (or remove one with --rm N).
    Agenda {
        /// Meeting id or prefix.
        id: String,
        /// The topic to add.
        item: Option<String>,
        /// Remove agenda item N (1-based) instead.
        #[arg(long, value_name = "N", conflicts_with = "item")]
        rm: Option<u32>,
    },
    /// Set a meeting's notes (text, `-` for stdin, or $EDITOR when omitted).
    Notes {
        /// Meeting id or prefix.
        id: String,
        /// The notes.
        text: Option<String>,
    },
    /// Mark a meeting as held.
    Held {
        /// Meeting id or prefix.
        id: String,
    },
    /// Cancel a meeting.
    Cancel {
        /// Meeting id or prefix.
        id: String,
    },
}

/// Feedback commands.
#[derive(Debug, Subcommand)]
pub enum FeedbackCmd {
    /// Give feedback (text, `-` for stdin, or $EDITOR when omitted).
    Add {
        /// The feedback.
        body: Option<String>,
        /// praise, suggestion or concern.
        #[arg(long, short, default_value = "suggestion")]
        kind: String,
        /// Goal it is about (id or prefix).
        #[arg(long, short)]
        goal: Option<String>,
        /// Who gives it (default: $TANDEM_USER or $USER).
        #[arg(long)]
        author: Option<String>,
    },
    /// List feedback.
    List {
        /// Only feedback about this goal.
        #[arg(long, short)]
        goal: Option<String>,
    },
}

/// Journal commands.
#[derive(Debug, Subcommand)]
pub enum NoteCmd {
    /// Write a journal note (text, `-` for stdin, or $EDITOR when omitted).
    Add {
        /// The note.
        body: Option<String>,
        /// Tag (repeat for several).
        #[arg(long, short)]
        tag: Vec<String>,
        /// Who writes it (default: $TANDEM_USER or $USER).
        #[arg(long)]
        author: Option<String>,
    },
    /// List journal notes.
    List {
        /// Only notes with this tag.
        #[arg(long, short)]
        tag: Option<String>,
    },
}

/// Contact commands.
#[derive(Debug, Subcommand)]
pub enum ContactCmd {
    /// Record a networking contact.
    Add {
        /// Name.
        name: String,
        /// Organization.
        #[arg(long, default_value = "")]
        org: String,
        /// How the mentee met them.
        #[arg(long, default_value = "")]
        how_met: String,
        /// Who introduced them.
        #[arg(long, default_value = "")]
        introduced_by: String,
        /// Notes (`-` reads stdin).
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// List contacts.
    List,
}

/// Agreement commands.
#[derive(Debug, Subcommand)]
pub enum AgreementCmd {
    /// Show the agreement.
    Show,
    /// Edit the agreement; with no flags, all four parts open in $EDITOR.
    Edit {
        /// Meeting cadence (`-` reads stdin).
        #[arg(long)]
        cadence: Option<String>,
        /// Communication norms (`-` reads stdin).
        #[arg(long)]
        communication: Option<String>,
        /// Confidentiality (`-` reads stdin).
        #[arg(long)]
        confidentiality: Option<String>,
        /// Expectations of each side (`-` reads stdin).
        #[arg(long)]
        expectations: Option<String>,
    },
}

/// Daemon commands.
#[derive(Debug, Subcommand)]
pub enum DaemonCmd {
    /// Start the daemon in the background if it is not running.
    Start,
    /// Stop the daemon gracefully.
    Stop,
    /// Show whether the daemon runs, and its figures.
    Status,
    /// Run the daemon in this process, in the foreground (what `start` runs in the background).
    Run {
        #[command(flatten)]
        flags: tandem_daemon::run::Flags,
    },
}
