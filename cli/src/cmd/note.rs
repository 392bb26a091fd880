//! `tandem note ...`: journal notes, their syntax and how they are carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{Edit, NewNote, NoteOp};
use tandem_proto::ids::short;
use tandem_proto::model::JournalNote;

use super::Ctx;
use crate::fail::Fail;
use crate::{input, render};

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
            let author = author.unwrap_or_else(|| ctx.user.clone());
            let tags = tag
                .into_iter()
                .map(|t| t.trim_start_matches('#').to_string())
                .collect();
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
    }
}
