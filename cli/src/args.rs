//! The command line's top level (clap derive): global flags and the list of
//! commands. Each command's own syntax lives with the code that carries it
//! out, in its `cmd` module. Doc comments here are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cmd::action::ActionCmd;
use crate::cmd::agreement::AgreementCmd;
use crate::cmd::bundle::BundleCmd;
use crate::cmd::ce::CeCmd;
use crate::cmd::cert::CertCmd;
use crate::cmd::competency::CompetencyCmd;
use crate::cmd::contact::ContactCmd;
use crate::cmd::daemon::DaemonCmd;
use crate::cmd::device::DeviceCmd;
use crate::cmd::export::ExportFormat;
use crate::cmd::feedback::FeedbackCmd;
use crate::cmd::goal::GoalCmd;
use crate::cmd::invite::InviteArgs;
use crate::cmd::meeting::MeetingCmd;
use crate::cmd::member::MemberCmd;
use crate::cmd::note::NoteCmd;
use crate::cmd::peer::PeerCmd;
use crate::cmd::plan::PlanCmd;

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
        #[arg(long, short, value_enum, ignore_case = true, default_value_t = ExportFormat::Markdown)]
        format: ExportFormat,
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

/// A long text: literal, `-` for stdin, or --editor.
#[derive(Debug, Args, Clone, Default)]
pub struct EditorFlag {
    /// Write the long text in $VISUAL / $EDITOR.
    #[arg(long, short = 'e')]
    pub editor: bool,
}
