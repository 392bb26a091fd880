//! `tandem ui`: opens the app in the browser, signed in. Starts the daemon
//! when it is not running, makes a one-time login link from the home's
//! secret (see `tandem_daemon::ui::access`) and hands it to `xdg-open`
//! (`open` on macOS), or prints it when there is neither.

use super::Ctx;
use super::status::daemon_status;
use crate::fail::Fail;

/// `tandem ui`.
#[derive(Debug, clap::Args)]
pub struct UiArgs {
    /// Print the link instead of opening a browser.
    #[arg(long)]
    print: bool,
}

pub(crate) fn run(UiArgs { print }: UiArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let st = daemon_status(ctx)?;
    let Some(base) = st.ui else {
        return Err(Fail::Other(
            "the daemon serves no app: its port was taken or it runs with --no-ui (see the daemon's log, set --ui-port or [ui] port)".into(),
        ));
    };
    let secret = tandem_daemon::ui::access::secret(std::path::Path::new(&st.home))
        .map_err(|e| Fail::Other(e.to_string()))?;
    let token = tandem_daemon::ui::access::login_token(&secret, jiff::Timestamp::now());
    let url = format!("{base}/login?t={token}");
    if ctx.json {
        return ctx.emit(&serde_json::json!({ "url": url, "app": base }), String::new);
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let opened = !print
        && std::process::Command::new(opener)
            .arg(&url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if opened {
        super::print(&format!("Opened Tandem in your browser ({base}).\n"))
    } else {
        super::print(&format!(
            "Open this link in your browser (it works once, for two minutes):\n  {url}\n"
        ))
    }
}
