//! Forms for plan items, generically: a kind's form is a list of
//! [`Field`]s (its key on the wire, its label, how it is typed), and what
//! a person typed becomes the JSON of the request API's [`Edit`], which the
//! proto types deserialize and the daemon checks exactly as it checks a
//! CLI edit. The app adds no validation of its own beyond reading what was
//! typed (a date as people write it, a number, a list of tags).
//!
//! An edit form carries, beside each field, the value it showed
//! (`was:<key>`): only the fields the person changed go into the patch, so
//! a field changed meanwhile on another device is not overwritten with
//! the old value the page showed.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use maud::{Markup, html};
use serde_json::{Map, Value};
use tandem_proto::dates;
use tandem_proto::edit::Edit;
use tandem_proto::model::{Owner, Plan};

use super::pages::{self, Refused};

/// How a field is typed.
#[derive(Clone, Copy)]
pub enum Input {
    /// One line of text.
    Line,
    /// Several lines (a text area that keeps what is typed).
    Text,
    /// A date as people write it (`2027-03-01`, `next friday`, `+3d`).
    Date,
    /// A date and time (`2027-03-01 14:00`, `tomorrow 9am`).
    When,
    /// A whole number.
    Whole,
    /// A number that may have decimals.
    Decimal,
    /// One of a closed set (the values of one of proto's enums).
    Choice(fn() -> Vec<&'static str>),
    /// Who does it: the mentor, the mentee or both, shown by name.
    Owner,
    /// One of the plan's goals, or none.
    Goal,
    /// Tags, separated by commas.
    Tags,
}

/// One field of a form.
pub struct Field {
    /// Its key in the edit's JSON (and the form's field name).
    pub key: &'static str,
    /// What people see.
    pub label: &'static str,
    /// How it is typed.
    pub input: Input,
    /// Whether it must be given.
    pub required: bool,
    /// The value a new item's form starts with.
    pub start: &'static str,
}

/// The values of a closed set, for [`Input::Choice`].
#[macro_export]
macro_rules! choices {
    ($t:ty) => {
        $crate::ui::form::Input::Choice(|| <$t>::ALL.iter().map(|v| v.as_str()).collect())
    };
}

/// A field that is typed wrong: its name (as the daemon names fields)
/// and the message.
pub type Typed = (String, String);

/// The name the daemon's messages give a field: `target_date` is "target date".
pub fn field_name(key: &str) -> String {
    key.replace('_', " ")
}

/// Reads one typed value into its JSON. `None` is "nothing typed" for an
/// optional field.
fn read(f: &Field, raw: &str, now: Timestamp) -> Result<Option<Value>, Typed> {
    let s = raw.trim();
    let name = field_name(f.key);
    let wrong = |m: String| (name.clone(), format!("{name}: {m}"));
    if s.is_empty() {
        return match f.input {
            Input::Line | Input::Text => Ok(Some(Value::String(raw.to_string()))),
            Input::Tags => Ok(Some(Value::Array(Vec::new()))),
            _ if f.required => Err(wrong("must be given".to_string())),
            _ => Ok(None),
        };
    }
    let v = match f.input {
        Input::Line | Input::Text => Value::String(raw.to_string()),
        Input::Date => {
            let d = dates::parse_date(s, pages::today(now)).map_err(|e| wrong(e.to_string()))?;
            Value::String(d.to_string())
        }
        Input::When => {
            let tz = jiff::tz::TimeZone::system();
            let at = dates::parse_datetime(s, &now.to_zoned_datetime(tz.clone()), &tz)
                .map_err(|e| wrong(e.to_string()))?;
            serde_json::to_value(at).map_err(|e| wrong(e.to_string()))?
        }
        Input::Whole => Value::from(
            s.parse::<u64>()
                .map_err(|_| wrong(format!("'{s}' is not a whole number")))?,
        ),
        Input::Decimal => {
            let n = s
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| wrong(format!("'{s}' is not a number")))?;
            Value::from(n)
        }
        Input::Choice(_) | Input::Owner | Input::Goal => Value::String(s.to_string()),
        Input::Tags => Value::Array(
            s.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| Value::String(t.to_string()))
                .collect(),
        ),
    };
    Ok(Some(v))
}

/// How a value of an item's JSON view is shown in its form field.
pub fn shown(f: &Field, v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => match f.input {
            Input::When => s
                .parse::<jiff::ZonedDateTime>()
                .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|_| s.clone()),
            _ => s.clone(),
        },
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// A new item's edit: `{"<kind>": {"op": "add", <fields>, <fixed>}}`.
pub fn add(
    kind: &str,
    fields: &[Field],
    fixed: &[(&str, &str)],
    typed: &HashMap<String, String>,
    now: Timestamp,
) -> Result<Edit, Typed> {
    let mut op = Map::new();
    op.insert("op".into(), "add".into());
    for (k, v) in fixed {
        op.insert((*k).into(), Value::String((*v).into()));
    }
    op.extend(values(fields, typed, now)?);
    edit_of(kind, op)
}

/// Every field's value as typed (an optional one left empty is absent).
pub fn values(
    fields: &[Field],
    typed: &HashMap<String, String>,
    now: Timestamp,
) -> Result<Map<String, Value>, Typed> {
    let mut out = Map::new();
    for f in fields {
        let raw = typed.get(f.key).map_or("", String::as_str);
        if let Some(v) = read(f, raw, now)? {
            out.insert(f.key.into(), v);
        }
    }
    Ok(out)
}

/// The fields the person changed, as a patch: each field whose value
/// differs from the one the form showed (`was:<key>`). An emptied
/// optional field is `null` (cleared).
pub fn patch(
    fields: &[Field],
    typed: &HashMap<String, String>,
    now: Timestamp,
) -> Result<Map<String, Value>, Typed> {
    let mut patch = Map::new();
    for f in fields {
        let Some(raw) = typed.get(f.key) else {
            continue;
        };
        let was = typed.get(&format!("was:{}", f.key));
        if was.is_some_and(|w| w == raw) {
            continue;
        }
        let v = read(f, raw, now)?.unwrap_or(Value::Null);
        patch.insert(f.key.into(), v);
    }
    Ok(patch)
}

/// An operation's JSON on one item: `{"op": op, <key>: id, ...rest}`.
pub fn op(op: &str, key: &str, id: &str, rest: Map<String, Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("op".into(), op.into());
    m.insert(key.into(), id.into());
    m.extend(rest);
    m
}

/// An edit from its kind and its operation's JSON, read by proto's types.
pub fn edit_of(kind: &str, op: Map<String, Value>) -> Result<Edit, Typed> {
    let mut outer = Map::new();
    outer.insert(kind.into(), Value::Object(op));
    serde_json::from_value(Value::Object(outer)).map_err(|e| {
        // serde names the field it could not read: "missing field `date`".
        let text = e.to_string();
        let field = text.split('`').nth(1).map(field_name).unwrap_or_default();
        (field, text)
    })
}

/// The inputs of a form. `value(key)` is what each field shows; an edit
/// form (`edit`) also carries what it showed, to send only changes.
pub fn inputs(
    id: &str,
    fields: &[Field],
    plan: &Plan,
    value: &dyn Fn(&Field) -> String,
    refused: &Refused,
    edit: bool,
) -> Markup {
    html! {
        (pages::field_error(refused.other_error(id, &fields.iter().map(|f| field_name(f.key)).collect::<Vec<_>>())))
        @for f in fields {
            @let name = format!("{id}-{}", f.key);
            @let shown_now = value(f);
            @let v = refused.value(id, f.key).unwrap_or_else(|| shown_now.clone());
            @let hint = hint(f);
            label for=(name) { (f.label) @if !f.required && !matches!(f.input, Input::Choice(_) | Input::Owner) { span.quiet { " (optional)" } } }
            @match f.input {
                Input::Text => {
                    textarea id=(name) name=(f.key) rows="4" required[f.required] { (v) }
                }
                Input::Choice(values) => {
                    select id=(name) name=(f.key) required[f.required] {
                        // A required choice nobody made yet is asked for, never guessed.
                        @if f.required && v.is_empty() { option value="" selected disabled { "— choose —" } }
                        @for c in values() {
                            option value=(c) selected[v == c] { (pages::words(c)) }
                        }
                    }
                }
                Input::Owner => {
                    select id=(name) name=(f.key) {
                        @for o in Owner::ALL {
                            option value=(o.as_str()) selected[v == o.as_str()] { (pages::owner_label(plan, *o)) }
                        }
                    }
                }
                Input::Goal => {
                    select id=(name) name=(f.key) {
                        option value="" { "— none —" }
                        @for g in &plan.goals {
                            option value=(g.id) selected[v == g.id.as_str()] { (g.title) }
                        }
                    }
                }
                _ => {
                    input id=(name) name=(f.key) value=(v) required[f.required]
                        inputmode=[numeric(f)] aria-describedby=[hint.map(|_| format!("{name}-hint"))];
                }
            }
            @if let Some(h) = hint { p.hint id={ (name) "-hint" } { (h) } }
            @if edit { input type="hidden" name={ "was:" (f.key) } value=(shown_now); }
            (pages::field_error(refused.error(id, &field_name(f.key))))
        }
    }
}

fn numeric(f: &Field) -> Option<&'static str> {
    match f.input {
        Input::Whole => Some("numeric"),
        Input::Decimal => Some("decimal"),
        _ => None,
    }
}

fn hint(f: &Field) -> Option<&'static str> {
    match f.input {
        Input::Date => Some("For example 2027-03-01, next friday, Dec 4, +3d"),
        Input::When => Some("For example 2027-03-01 14:00, tomorrow 9am, friday 15:30"),
        Input::Tags => Some("Separated by commas"),
        _ => None,
    }
}

/// What a date field of a view means today, for lists: "overdue since …".
pub fn date_words(d: Date, today: Date) -> String {
    let days = (d - today).get_days();
    match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        -1 => "yesterday".to_string(),
        n if n > 1 && n < 14 => format!("in {n} days ({d})"),
        n if n < -1 && n > -14 => format!("{} days ago ({d})", -n),
        _ => d.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOAL: &[Field] = &[
        Field {
            key: "title",
            label: "Title",
            input: Input::Line,
            required: true,
            start: "",
        },
        Field {
            key: "target_date",
            label: "Target",
            input: Input::Date,
            required: false,
            start: "",
        },
        Field {
            key: "progress",
            label: "Progress",
            input: Input::Whole,
            required: false,
            start: "",
        },
    ];

    fn typed(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_new_item_is_read_by_the_proto_types() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let e = add(
            "goal",
            &GOAL[..2],
            &[("status", "active"), ("category", "skill")],
            &typed(&[("title", "Pass <b>"), ("target_date", "2027-03-01")]),
            now,
        )
        .unwrap();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["goal"]["title"], "Pass <b>");
        assert_eq!(json["goal"]["target_date"], "2027-03-01");
    }

    #[test]
    fn typing_errors_name_the_field() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let (field, message) = add(
            "goal",
            GOAL,
            &[("status", "active"), ("category", "skill")],
            &typed(&[("title", "x"), ("target_date", "someday"), ("progress", "")]),
            now,
        )
        .unwrap_err();
        assert_eq!(field, "target date");
        assert!(message.starts_with("target date: "), "{message}");
        let (field, _) = patch(GOAL, &typed(&[("progress", "lots")]), now).unwrap_err();
        assert_eq!(field, "progress");
    }

    #[test]
    fn a_patch_holds_only_what_was_changed() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let p = patch(
            GOAL,
            &typed(&[
                ("title", "Same"),
                ("was:title", "Same"),
                ("target_date", ""),
                ("was:target_date", "2027-03-01"),
                ("progress", "40"),
                ("was:progress", "10"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p["target_date"], Value::Null, "emptied is cleared");
        assert_eq!(p["progress"], 40);
    }
}
