//! `tandem note ...`: journal notes, their syntax and how they are carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{Edit, NewNote, NoteOp, NotePatch};
use tandem_proto::ids::short;
use tandem_proto::model::JournalNote;

use super::Ctx;
use super::items::{self, RmArgs};
use crate::fail::Fail;
use crate::{input, render};

/// Journal commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum NoteCmd {
    /// Write a journal note (text, `-` for stdin, or $EDITOR when omitted).
    Add {
        /// The note.
        body: Option<String>,
        /// Tag (repeat for several).
        #[arg(long, short)]
        tag: Vec<String>,
        /// Who writes it (default: this device's member name).
        #[arg(long)]
        author: Option<String>,
    },
    /// List journal notes.
    List {
        /// Only notes with this tag.
        #[arg(long, short)]
        tag: Option<String>,
    },
    /// Show a journal note.
    Show {
        /// Note id or prefix.
        id: String,
    },
    /// Change a note: its text (argument, `-` for stdin, or $EDITOR when
    /// neither text nor tags are given) or its tags.
    Edit {
        /// Note id or prefix.
        id: String,
        /// The new text.
        body: Option<String>,
        /// Its tags from now on (repeat for several; replaces the old ones).
        #[arg(long, short)]
        tag: Vec<String>,
        /// Remove every tag.
        #[arg(long, conflicts_with = "tag")]
        no_tags: bool,
    },
    /// Remove a journal note.
    Rm(RmArgs),
}

fn tags(given: Vec<String>) -> Vec<String> {
    given
        .into_iter()
        .map(|t| t.trim_start_matches('#').to_string())
        .collect()
}

fn added(item: &Item) -> String {
    match item {
        Item::Note(x) => format!("Added note {}", short(&x.id)),
        _ => "Added note".into(),
    }
}

pub(crate) fn run(cmd: NoteCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        NoteCmd::Add {
            body: text,
            tag,
            author,
        } => {
            let body = input::body(text, "journal note")?;
            let author = author.unwrap_or_default();
            let tags = tags(tag);
            let item = ctx.edit(Edit::Note(NoteOp::Add(NewNote { author, body, tags })))?;
            ctx.emit_item(&item, &added(&item))
        }
        NoteCmd::List { tag } => {
            let plan = ctx.fetch_plan()?;
            let tag = tag.map(|t| t.trim_start_matches('#').to_string());
            let list: Vec<&JournalNote> = plan
                .notes
                .iter()
                .filter(|n| tag.as_ref().is_none_or(|t| n.tags.contains(t)))
                .collect();
            ctx.emit(&list, || {
                if list.is_empty() {
                    return "No journal notes yet.\n".into();
                }
                list.iter().map(|n| render::note_block(n, s)).collect()
            })
        }
        NoteCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let n = items::find::<JournalNote>(&plan, &id)?;
            items::show(ctx, &plan, n, || crate::details::note(n, s))
        }
        NoteCmd::Edit {
            id,
            body,
            tag,
            no_tags,
        } => {
            let new_tags = (no_tags || !tag.is_empty()).then(|| tags(tag));
            let body = match body {
                Some(b) => Some(input::text(b)?),
                None if new_tags.is_some() => None,
                None => {
                    let plan = ctx.fetch_plan()?;
                    let current = items::find::<JournalNote>(&plan, &id)?.body.clone();
                    Some(input::editor("journal note", &current)?)
                }
            };
            let patch = NotePatch {
                body,
                tags: new_tags,
            };
            let item = ctx.edit(Edit::Note(NoteOp::Edit { note: id, patch }))?;
            let human = match &item {
                Item::Note(n) => format!("Updated note {}", short(&n.id)),
                _ => "Updated note".into(),
            };
            ctx.emit_item(&item, &human)
        }
        NoteCmd::Rm(args) => {
            items::remove::<JournalNote>(ctx, args, |note| Edit::Note(NoteOp::Rm { note }))
        }
    }
}
