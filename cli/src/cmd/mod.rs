//! Carrying out commands: each submodule turns parsed arguments into
//! validated requests, sends them, and prints the result as text or JSON.

pub(crate) mod action;
pub(crate) mod agenda;
pub(crate) mod agreement;
pub(crate) mod bundle;
pub(crate) mod ce;
pub(crate) mod cert;
pub(crate) mod competency;
pub(crate) mod contact;
pub(crate) mod daemon;
pub(crate) mod device;
pub(crate) mod doctor;
pub(crate) mod export;
pub(crate) mod feedback;
pub(crate) mod goal;
pub(crate) mod invite;
pub(crate) mod items;
pub(crate) mod log;
pub(crate) mod matrix;
pub(crate) mod meeting;
pub(crate) mod member;
pub(crate) mod note;
pub(crate) mod peer;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod resolve;
pub(crate) mod shell;
pub(crate) mod status;
pub(crate) mod ui;
pub(crate) mod undo;
pub(crate) mod watch;

use std::io::Write;
use std::path::PathBuf;

use jiff::ZonedDateTime;
use jiff::civil::Date;
use serde::Serialize;
use tandem_proto::api::{Call, Item, PlanEdit, PlanGet, Response};
use tandem_proto::dates::DayOrder;
use tandem_proto::edit::Edit;
use tandem_proto::model::Plan;

use crate::args::Cli;
use crate::client::Client;
use crate::fail::Fail;
use crate::style::Style;

/// Everything a command needs: flags, the clock, the connection.
pub struct Ctx {
    /// `--json`.
    pub json: bool,
    /// `--plan`.
    pub plan: Option<String>,
    /// `--ids`: PeerIds next to people's names.
    pub ids: bool,
    /// `--no-pager`.
    pub no_pager: bool,
    /// The daemon's home.
    pub home: PathBuf,
    /// Whether the daemon may be started.
    pub autostart: bool,
    /// Styling of human output.
    pub style: Style,
    /// The local time, for relative dates; looked up on first use, since
    /// finding the system time zone can cost a millisecond.
    now: std::cell::OnceCell<ZonedDateTime>,
    client: Option<Client>,
}

impl Ctx {
    /// A context for `cli`.
    pub fn new(cli: &Cli, home: PathBuf) -> Ctx {
        let no_autostart =
            std::env::var("TANDEM_NO_AUTOSTART").is_ok_and(|v| !v.is_empty() && v != "0");
        Ctx {
            json: cli.json,
            plan: cli.plan.clone(),
            ids: cli.ids,
            no_pager: cli.no_pager,
            home,
            autostart: !cli.no_autostart && !no_autostart,
            style: Style::detect(),
            now: std::cell::OnceCell::new(),
            client: None,
        }
    }

    /// A context with the same flags and its own connection (the first
    /// may be busy with a stream).
    pub fn like(other: &Ctx) -> Ctx {
        Ctx {
            json: other.json,
            plan: other.plan.clone(),
            ids: other.ids,
            no_pager: true,
            home: other.home.clone(),
            autostart: false,
            style: other.style,
            now: std::cell::OnceCell::new(),
            client: None,
        }
    }

    /// Now, in the local zone.
    pub fn now(&self) -> &ZonedDateTime {
        self.now.get_or_init(ZonedDateTime::now)
    }

    /// Today, in the local zone.
    pub fn today(&self) -> Date {
        self.now().date()
    }

    /// How slash dates are read: `TANDEM_DATE_ORDER`, else `order` under
    /// `[dates]` in the config file, else month/day.
    fn day_order(&self) -> Result<DayOrder, Fail> {
        let given = match std::env::var("TANDEM_DATE_ORDER") {
            Ok(v) if !v.trim().is_empty() => Some(v),
            _ => {
                let env = |k: &str| std::env::var(k).ok();
                let path = tandem_daemon::config::path(
                    env("TANDEM_CONFIG").as_deref(),
                    env("XDG_CONFIG_HOME").as_deref(),
                    env("HOME").as_deref(),
                );
                match path {
                    Some(p) => {
                        tandem_daemon::config::Config::load(&p)
                            .map_err(|e| Fail::Usage(e.to_string()))?
                            .dates
                            .order
                    }
                    None => None,
                }
            }
        };
        given.map_or(Ok(DayOrder::MonthDay), |g| g.parse().map_err(Fail::Usage))
    }

    /// Parses a date as the user typed it.
    pub fn date(&self, s: &str) -> Result<Date, Fail> {
        let order = if s.contains('/') {
            self.day_order()?
        } else {
            DayOrder::MonthDay
        };
        Ok(tandem_proto::dates::parse_date_in(s, self.today(), order)?)
    }

    /// Parses a date and time as the user typed it, in the local zone.
    pub fn datetime(&self, s: &str) -> Result<ZonedDateTime, Fail> {
        let order = if s.contains('/') {
            self.day_order()?
        } else {
            DayOrder::MonthDay
        };
        let now = self.now();
        Ok(tandem_proto::dates::parse_datetime_in(
            s,
            now,
            now.time_zone(),
            order,
        )?)
    }

    /// Sends a request, connecting (and starting the daemon) on first use,
    /// and returns its reply; an error reply becomes a [`Fail`].
    pub fn call<C: Call>(&mut self, request: C) -> Result<C::Reply, Fail> {
        self.client()?.call(request)
    }

    /// The connection to the daemon, made (and the daemon started) on first use.
    fn client(&mut self) -> Result<&mut Client, Fail> {
        if self.client.is_none() {
            self.client = Some(Client::connect(&self.home, self.autostart)?);
        }
        self.client
            .as_mut()
            .ok_or_else(|| Fail::Other("no connection".into()))
    }

    /// Prints the reply to `request` (its value under `tag`) as `--json`
    /// output, passed on as the daemon wrote it, only laid out: for long
    /// lists, where decoding every entry into types and encoding it again
    /// was most of the command's time (`plan list` of 5,000 plans).
    pub fn emit_raw<C: Call>(&mut self, request: C, tag: &str) -> Result<(), Fail> {
        let out = std::io::stdout().lock();
        self.client()?.call_passed_on(request, &[tag], out)
    }

    /// Prints one list of the plan (`goals`, `contacts`, ...) as `--json`
    /// output, passed on as the daemon wrote it (see [`Ctx::emit_raw`]).
    pub fn emit_plan_list(&mut self, list: &str) -> Result<(), Fail> {
        let plan = self.plan.clone();
        let out = std::io::stdout().lock();
        self.client()?
            .call_passed_on(PlanGet { plan }, &["plan", list], out)
    }

    /// The next frame of a stream started with [`Ctx::call`] (`tandem watch`).
    pub fn next(&mut self) -> Result<Response, Fail> {
        match self.client.as_mut() {
            Some(c) => c.next(),
            None => Err(Fail::Other("no connection".into())),
        }
    }

    /// The whole plan named by `--plan`, or the current one.
    pub fn fetch_plan(&mut self) -> Result<Plan, Fail> {
        let plan = self.plan.clone();
        Ok(*self.call(PlanGet { plan })?)
    }

    /// Every readable plan on this device (a damaged one is left out; `plan
    /// list` names it).
    pub fn every_plan(&mut self) -> Result<Vec<Plan>, Fail> {
        let mut plans = Vec::new();
        for p in self
            .call(tandem_proto::api::PlanList)?
            .into_iter()
            .filter(|p| p.error.is_none())
        {
            plans.push(*self.call(PlanGet {
                plan: Some(p.id.to_string()),
            })?);
        }
        Ok(plans)
    }

    /// Validates and applies an edit to the plan; returns what it created or updated.
    pub fn edit(&mut self, edit: Edit) -> Result<Item, Fail> {
        edit.validate()?;
        let plan = self.plan.clone();
        self.call(PlanEdit { plan, edit })
    }

    /// Prints `value` as JSON with `--json`, else the text from `human`.
    pub fn emit<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> Result<(), Fail> {
        let text = if self.json {
            serde_json::to_string_pretty(value).map_err(|e| Fail::Other(e.to_string()))? + "\n"
        } else {
            human()
        };
        print(&text)
    }

    /// Like [`Ctx::emit`] for output that may run long (`log`, `plan
    /// show`): on a terminal, text taller than it goes through `$PAGER`
    /// (default `less`, with `LESS=FRX` unless set), as git does;
    /// `--no-pager`, an empty `PAGER` and pipes skip it.
    pub fn emit_long<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> Result<(), Fail> {
        if self.json || self.no_pager {
            return self.emit(value, human);
        }
        let text = human();
        match crate::pager::page(&text) {
            Ok(true) => Ok(()),
            _ => print(&text),
        }
    }

    /// Prints an edited item: its JSON, or `human` followed by its id.
    pub fn emit_item(&self, item: &Item, human: &str) -> Result<(), Fail> {
        let value = item_json(item);
        self.emit(&value, || format!("{human}\n"))
    }
}

/// The JSON of an edited item: the object itself (for removals: what and id).
pub fn item_json(item: &Item) -> serde_json::Value {
    match item {
        Item::Removed { what, id } => serde_json::json!({ "removed": what, "id": id }),
        // Every other item travels as `{"kind": ..., "item": the object}`.
        other => serde_json::to_value(other)
            .map(|mut v| v["item"].take())
            .unwrap_or(serde_json::Value::Null),
    }
}

/// Writes to stdout; a closed pipe (e.g. `| head`) ends the program quietly.
pub fn print(text: &str) -> Result<(), Fail> {
    print_bytes(text.as_bytes())
}

/// Writes bytes to stdout, as [`print`] writes text.
pub fn print_bytes(bytes: &[u8]) -> Result<(), Fail> {
    print_with(|out| out.write_all(bytes))
}

/// Writes to stdout with `write`, as [`print`] writes text.
pub fn print_with(
    write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(Fail::output)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use tandem_proto::model::{PlanStatus, PlanSummary};

    /// What `--json` prints of a reply passed on is what it printed of the
    /// same reply decoded into types: the same text, byte for byte.
    #[test]
    fn a_reply_passed_on_prints_as_the_decoded_one() {
        let awkward = [
            "plain",
            "quote \" and backslash \\ and / slash",
            "tab\tnew line\nreturn\r and \u{1} control",
            "Ünïcödé — 检验 🧪 and \u{2028} line separator",
            "",
        ];
        let list: Vec<PlanSummary> = awkward
            .iter()
            .enumerate()
            .map(|(i, t)| PlanSummary {
                id: format!("{i:016x}").into(),
                title: (*t).into(),
                mentor: "Dana".into(),
                mentee: (*t).into(),
                status: PlanStatus::Active,
                goals: i * 1000,
                open_actions: i,
                updated_at: jiff::Timestamp::from_second(1_800_000_000 + i as i64).unwrap(),
                current: i == 1,
                error: (i == 2).then(|| (*t).to_string()),
                members: vec!["12D3KooWAbc".into(), "12D3KooWXyz".into()],
            })
            .collect();
        let reply = serde_json::to_string(&tandem_proto::api::Response::Plans(list.clone().into()))
            .unwrap();
        let passed_on = |reply: &str| {
            let mut printed = Vec::new();
            let mut pass = crate::reply::PassOn::new(&["plans"], &mut printed);
            pass.feed(reply.as_bytes()).unwrap();
            assert!(matches!(
                pass.finish().unwrap(),
                crate::reply::Found::Passed
            ));
            String::from_utf8(printed).unwrap()
        };
        let typed = serde_json::to_string_pretty(&list).unwrap() + "\n";
        assert_eq!(passed_on(&reply), typed);
        assert_eq!(passed_on(r#"{"plans":[]}"#), "[]\n");
    }
}
