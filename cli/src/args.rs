//! The command line's top level (clap derive): global flags and the list of
//! commands, each named once with its arguments and its handler. Each
//! command's own syntax lives with the code that carries it out, in its
//! `cmd` module. Doc comments here are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cmd::{
    Ctx, action, agenda, agreement, bundle, ce, cert, competency, contact, daemon, device, doctor,
    export, feedback, goal, invite, log, matrix, meeting, member, note, peer, plan, resolve, shell,
    status, ui, undo, watch,
};
use crate::fail::Fail;

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
    /// When to use colors: auto (a terminal, unless NO_COLOR, CLICOLOR=0 or
    /// TERM=dumb; CLICOLOR_FORCE forces them), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Do not send long output through $PAGER.
    #[arg(long, global = true)]
    pub no_pager: bool,
    /// Show PeerIds next to people's names in text output.
    #[arg(long, global = true)]
    pub ids: bool,
    /// Do not start the daemon when it is not running (also: TANDEM_NO_AUTOSTART=1).
    #[arg(long, global = true)]
    pub no_autostart: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Declares the top-level commands once: `Name(Arguments) => handler`
/// makes the variant `Command::Name` holding its parsed arguments, and
/// [`Command::run`] hands them to `handler` (with the context).
macro_rules! commands {
    ($($(#[$meta:meta])* $name:ident($args:ty) => $run:path,)*) => {
        /// Top-level commands. Each group's commands declare their
        /// arguments to clap only when they run (`defer` on each group):
        /// building and dropping all of them was a third of the
        /// instructions of `tandem --version`. A struct of arguments with a
        /// doc comment would become the description of a deferred command
        /// (clap applies it after the command's own), so the ones that are
        /// flattened into others carry a plain comment.
        #[derive(Debug, Subcommand)]
        pub enum Command {
            $($(#[$meta])* $name($args),)*
        }

        impl Command {
            /// Carries the command out.
            pub fn run(self, ctx: &mut Ctx) -> Result<(), Fail> {
                match self {
                    $(Command::$name(args) => $run(args, ctx),)*
                }
            }
        }
    };
}

commands! {
    /// Open the Tandem app in your browser, signed in (starts the daemon if needed).
    Ui(ui::UiArgs) => ui::run,
    /// Create, list, show and select plans.
    #[command(subcommand)]
    Plan(plan::PlanCmd) => plan::run,
    /// Goals and their milestones.
    #[command(subcommand)]
    Goal(goal::GoalCmd) => goal::run,
    /// Action items.
    #[command(subcommand)]
    Action(action::ActionCmd) => action::run,
    /// Meetings, agendas and notes.
    #[command(subcommand)]
    Meeting(meeting::MeetingCmd) => meeting::run,
    /// Feedback between mentor and mentee.
    #[command(subcommand)]
    Feedback(feedback::FeedbackCmd) => feedback::run,
    /// Journal notes.
    #[command(subcommand)]
    Note(note::NoteCmd) => note::run,
    /// Networking contacts.
    #[command(subcommand)]
    Contact(contact::ContactCmd) => contact::run,
    /// The mentoring agreement.
    #[command(subcommand)]
    Agreement(agreement::AgreementCmd) => agreement::run,
    /// History of the plan: who changed what, and when.
    Log(log::LogArgs) => log::run,
    /// Every person × test system across all plans on this device, most
    /// urgent first: overdue, in remediation, due soon, never assessed.
    Matrix(matrix::MatrixArgs) => matrix::run,
    /// Revert this device's last change (as a new change that syncs like
    /// any edit); `--list` shows what can be undone. Another device's
    /// change is refused: only the device that made a change undoes it.
    Undo(undo::UndoArgs) => undo::run,
    /// Keep what an item shows for the fields two devices changed at the
    /// same time (`plan show` lists them), so they are no longer marked.
    Resolve(resolve::ResolveArgs) => resolve::run,
    /// Export the plan as JSON (versioned schema), a Markdown report, or an iCalendar (.ics) of meetings and due dates.
    Export(export::ExportArgs) => export::export,
    /// Make a new plan from a JSON export (`tandem export --format json`).
    ///
    /// Every item keeps its id, dates and fields; the plan gets a new id and
    /// this device as its only member (invite the others again). It becomes
    /// the current plan. Sign-offs come along but attest the original plan,
    /// so they do not verify in the copy.
    Import(export::ImportArgs) => export::import,
    /// Start, stop or query the background daemon.
    #[command(subcommand)]
    Daemon(daemon::DaemonCmd) => daemon::run,
    /// This device's identity (its PeerId names it in member lists).
    #[command(subcommand)]
    Device(device::DeviceCmd) => device::run,
    /// Devices a plan is shared with.
    #[command(subcommand)]
    Member(member::MemberCmd) => member::run,
    /// Other devices this daemon talks to.
    #[command(subcommand)]
    Peer(peer::PeerCmd) => peer::run,
    /// Competencies (CLIA-style): stages, the six assessment elements, signed sign-offs.
    #[command(subcommand)]
    Competency(competency::CompetencyCmd) => competency::run,
    /// What needs attention: the next meeting, late and coming actions by
    /// owner, goals near their date or stuck, competencies and certifications
    /// coming due, and a pair that has not met for 21 days.
    Agenda(agenda::AgendaArgs) => agenda::run,
    /// Continuing education: log activities, see totals per certification cycle.
    #[command(subcommand)]
    Ce(ce::CeCmd) => ce::run,
    /// Certifications (MLS, MLT, PBT, HT, ...): exam dates, status, renewal.
    #[command(subcommand)]
    Cert(cert::CertCmd) => cert::run,
    /// Sync by file with devices that are never on a network: signed bundles
    /// carried on a USB stick.
    #[command(subcommand)]
    Bundle(bundle::BundleCmd) => bundle::run,
    /// Check this device's connectivity, explain what is wrong, and suggest fixes.
    Doctor(doctor::DoctorArgs) => doctor::run,
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    ///
    /// bash: `tandem completions bash > ~/.local/share/bash-completion/completions/tandem`;
    /// zsh: into a directory on $fpath as `_tandem`; fish: `~/.config/fish/completions/tandem.fish`.
    Completions(shell::CompletionsArgs) => shell::completions,
    /// Write man pages (tandem.1 and one per subcommand) into a directory.
    Man(shell::ManArgs) => shell::man,
    /// Invite someone to the plan: prints a one-line ticket for `tandem join`.
    /// Also `invite list` and `invite revoke ID`.
    Invite(invite::InviteArgs) => invite::invite,
    /// Join a plan with a ticket from `tandem invite` or `tandem device link`.
    Join(invite::JoinArgs) => invite::join,
    /// This device, its listen addresses, and its peers.
    Status(status::StatusArgs) => status::status,
    /// Stream events (changes, peers, sync) until interrupted; with --json, one JSON object per line.
    Watch(watch::WatchArgs) => watch::watch,
    /// Show how far connected member devices are in syncing the plan.
    Sync(status::SyncArgs) => status::sync,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// By the terminal and the environment.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorWhen {
    /// Sets the choice for everything that writes colors (ours and clap's).
    pub fn apply(self) {
        let choice = match self {
            ColorWhen::Auto => colorchoice::ColorChoice::Auto,
            ColorWhen::Always => colorchoice::ColorChoice::Always,
            ColorWhen::Never => colorchoice::ColorChoice::Never,
        };
        choice.write_global();
    }
}

// A long text: literal, `-` for stdin, or --editor.
#[derive(Debug, Args, Clone, Default)]
pub struct EditorFlag {
    /// Write the long text in $VISUAL / $EDITOR.
    #[arg(long, short = 'e')]
    pub editor: bool,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use clap::CommandFactory;

    use super::Cli;

    /// clap's own checks of the whole tree, deferred parts built.
    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// Deferring a command's arguments leaves its help as it was: a
    /// flattened set of arguments with a doc comment of its own would
    /// replace the command's description when it is built.
    #[test]
    fn building_a_command_keeps_its_description() {
        fn abouts(cmd: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
            for sub in cmd.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
                out.push((path.clone(), about));
                abouts(sub, &path, out);
            }
        }
        let mut declared = Vec::new();
        abouts(&Cli::command(), "tandem", &mut declared);
        let mut built = Cli::command();
        built.build();
        let mut shown = Vec::new();
        abouts(&built, "tandem", &mut shown);
        let shown: std::collections::HashMap<_, _> = shown.into_iter().collect();
        let changed: Vec<_> = declared
            .iter()
            .filter(|(path, d)| shown.get(path) != Some(d))
            .map(|(path, d)| format!("{path}: {d:?} became {:?}", shown.get(path)))
            .collect();
        assert!(changed.is_empty(), "{changed:#?}");
    }

    /// Every command of a group declares its arguments only when it runs:
    /// before parsing, no command inside a group has an argument of its own
    /// (a group without `#[command(defer = true)]` would show its commands'
    /// arguments here). `daemon` is built eagerly: `daemon run` takes the
    /// daemon's documented flags, whose doc comment clap would show as its
    /// description.
    #[test]
    fn each_commands_arguments_wait_until_it_runs() {
        fn walk(cmd: &clap::Command, path: &str, eager: &mut Vec<String>) {
            for sub in cmd.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                if sub.get_arguments().next().is_some() {
                    eager.push(path.clone());
                }
                walk(sub, &path, eager);
            }
        }
        let mut eager = Vec::new();
        for group in Cli::command().get_subcommands() {
            if group.has_subcommands() && group.get_name() != "daemon" {
                walk(group, &format!("tandem {}", group.get_name()), &mut eager);
            }
        }
        assert!(eager.is_empty(), "built before use: {eager:?}");
    }
}
