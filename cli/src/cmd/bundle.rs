//! `tandem bundle export|import`: air-gapped sync through signed files.

use std::io::{Read, Write};

use std::path::PathBuf;

use clap::Subcommand;
use data_encoding::BASE64;
use tandem_proto::api::{BundleExport, BundleImport};

use super::Ctx;
use crate::fail::Fail;

/// Bundle commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
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

pub(crate) fn run(cmd: BundleCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    match cmd {
        BundleCmd::Export {
            for_peer, output, ..
        } => export(for_peer, &output, ctx),
        BundleCmd::Import { file } => import(&file, ctx),
    }
}

fn export(for_peer: Option<String>, output: &std::path::Path, ctx: &mut Ctx) -> Result<(), Fail> {
    let plan = ctx.plan.clone();
    let spinner = crate::progress::Progress::start(ctx.json, "Signing the bundle...");
    let mut out = ctx.call(BundleExport { plan, for_peer })?;
    drop(spinner);
    let file = BASE64
        .decode(out.data.as_bytes())
        .map_err(|e| Fail::Other(format!("the daemon sent an unreadable bundle: {e}")))?;
    out.data.clear();
    let to_stdout = output.as_os_str() == "-";
    if to_stdout {
        std::io::stdout()
            .write_all(&file)
            .map_err(|e| Fail::Other(format!("cannot write the bundle: {e}")))?;
        return Ok(());
    }
    write_whole(output, &file)?;
    let people = crate::people::People::fetch(ctx)?;
    let what = match (&out.for_peer, out.whole) {
        (Some(p), false) => format!("the changes {} lacks", people.name(p)),
        (Some(p), true) => format!(
            "the whole plan (nothing is known of what {} has)",
            people.name(p)
        ),
        (None, _) => "the whole plan".into(),
    };
    ctx.emit(&out, || {
        format!(
            "Wrote {} ({} bytes): {what} of {}, signed by this device.\nOn the other device: tandem bundle import {}\n",
            output.display(),
            out.bytes,
            out.title,
            output.display()
        )
    })
}

/// Writes a file completely and durably, through a temporary file and a rename,
/// so a full disk or a crash never leaves half a bundle under the real name.
fn write_whole(path: &std::path::Path, bytes: &[u8]) -> Result<(), Fail> {
    let fail = |e: std::io::Error| Fail::Other(format!("cannot write {}: {e}", path.display()));
    let tmp = path.with_extension("partial");
    let mut f = std::fs::File::create(&tmp).map_err(fail)?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail(e)
        })?;
    std::fs::rename(&tmp, path).map_err(fail)
}

fn import(file: &std::path::Path, ctx: &mut Ctx) -> Result<(), Fail> {
    let bytes = if file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| Fail::Usage(format!("cannot read stdin: {e}")))?;
        b
    } else {
        std::fs::read(file)
            .map_err(|e| Fail::Usage(format!("cannot read {}: {e}", file.display())))?
    };
    // Checked here too, so a wrong file is named before anything is sent.
    tandem_proto::bundle::parse(&bytes)
        .map_err(|e| Fail::Usage(format!("{}: {e}", file.display())))?;
    let spinner = crate::progress::Progress::start(ctx.json, "Checking and merging the bundle...");
    let got = ctx.call(BundleImport {
        data: BASE64.encode(&bytes),
    })?;
    let people = crate::people::People::fetch(ctx)?;
    drop(spinner);
    ctx.emit(&got, || {
        let from = people.name(&got.signer);
        if got.new_plan {
            format!(
                "Received plan {} ({}) from a bundle signed by {from}.\n",
                got.title, got.plan
            )
        } else if !got.changed {
            format!(
                "Nothing new: {} already has everything in this bundle.\n",
                got.title
            )
        } else {
            let mut out = format!(
                "Merged {} change(s) into {} from a bundle signed by {from}:\n",
                got.messages.len(),
                got.title
            );
            for m in &got.messages {
                out += &format!("  {m}\n");
            }
            out
        }
    })
}
