//! The journal on screen: the paper register's columns with filters, due-soon and overdue
//! rows highlighted; the entry page with pages, text, amendments and follow-up; the print
//! view (A4 landscape, numbered pages, chain head in the footer); CSV/XLSX export.

use super::{audit, download};
use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::NaiveDate;
use ishenim_store::{EntryField, EntryStatus, EntryView, EventKind, Serial, StoreError};
use serde::Deserialize;
use serde_json::{json, Value};

/// Rows per screen page.
const PER_PAGE: usize = 100;
/// An open entry due within this many days is "due soon".
const DUE_SOON_DAYS: i64 = 3;

/// Filters of the journal list, print view and exports.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct Filters {
    /// One year's journal.
    year: Option<String>,
    /// Registered on or after (dd.mm.yyyy or yyyy-mm-dd).
    from: Option<String>,
    /// Registered on or before.
    to: Option<String>,
    /// Status key, or `open`.
    status: Option<String>,
    /// `1`: corruption-flagged only.
    flag: Option<String>,
    /// Assigned official (exact).
    official: Option<String>,
    /// `1`: overdue only.
    overdue: Option<String>,
    /// Screen page, from 1.
    page: Option<usize>,
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    let text = s.as_deref()?.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .ok()
}

fn set(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Overdue: open and past its deadline.
fn is_overdue(e: &EntryView, today: NaiveDate) -> bool {
    e.status.is_open() && e.deadline < today
}

fn is_due_soon(e: &EntryView, today: NaiveDate) -> bool {
    e.status.is_open() && e.deadline >= today && (e.deadline - today).num_days() <= DUE_SOON_DAYS
}

impl Filters {
    fn load(&self, state: &AppState) -> Result<Vec<EntryView>, AppError> {
        let year = set(&self.year).and_then(|y| y.parse::<i32>().ok());
        let list = state.store.journal_list(year)?;
        Ok(self.apply(list))
    }

    /// Keeps the entries that pass the filters (the year included).
    fn apply(&self, list: Vec<EntryView>) -> Vec<EntryView> {
        let year = set(&self.year).and_then(|y| y.parse::<i32>().ok());
        let (from, to) = (date(&self.from), date(&self.to));
        let today = today();
        list.into_iter()
            .filter(|e| year.is_none_or(|y| e.serial.year == y))
            .filter(|e| from.is_none_or(|f| e.box_date >= f))
            .filter(|e| to.is_none_or(|t| e.box_date <= t))
            .filter(|e| match set(&self.status) {
                None => true,
                Some("open") => e.status.is_open(),
                // An unknown spelling matches no entry, as before.
                Some(s) => EntryStatus::parse(s).is_ok_and(|st| e.status == st),
            })
            .filter(|e| set(&self.flag).is_none() || e.fields.corruption)
            .filter(|e| set(&self.official).is_none_or(|o| e.fields.official.as_deref() == Some(o)))
            .filter(|e| set(&self.overdue).is_none() || is_overdue(e, today))
            .collect()
    }

    fn describe(&self) -> String {
        format!(
            "year={} from={} to={} status={} flag={} overdue={}",
            set(&self.year).unwrap_or("-"),
            set(&self.from).unwrap_or("-"),
            set(&self.to).unwrap_or("-"),
            set(&self.status).unwrap_or("-"),
            set(&self.flag).unwrap_or("-"),
            set(&self.overdue).unwrap_or("-"),
        )
    }

    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("year", &self.year),
            ("from", &self.from),
            ("to", &self.to),
            ("status", &self.status),
            ("flag", &self.flag),
            ("official", &self.official),
            ("overdue", &self.overdue),
        ]
        .iter()
        .filter_map(|(k, v)| set(v).map(|v| (*k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

fn row(e: &EntryView, today: NaiveDate) -> Value {
    json!({
        "serial": e.serial.to_string(),
        "box_date": e.box_date.to_string(),
        "registered_at": e.registered_at.format("%Y-%m-%dT%H:%M").to_string(),
        "applicant": e.applicant,
        "anonymous": e.fields.anonymous,
        "address": e.fields.address,
        "phone": e.fields.phone,
        "brief": e.fields.brief,
        "category": e.fields.category,
        "corruption": e.fields.corruption,
        "official": e.fields.official,
        "deadline": e.deadline.to_string(),
        "deadline_extended": e.deadline_extended,
        "measures": e.measures,
        "reply_no": e.reply_no,
        "reply_date": e.reply_date.map(|d| d.to_string()),
        "status": e.status.as_str(),
        "overdue": is_overdue(e, today),
        "due_soon": is_due_soon(e, today),
        "hash": e.hash,
    })
}

/// `GET /journal`.
pub async fn list(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(f): Query<Filters>,
) -> Result<Response, AppError> {
    me.require(Area::JournalRead)?;
    // One read of the journal serves the officials list and the filtered rows.
    let everything = state.store.journal_list(None)?;
    let mut officials: Vec<String> = everything
        .iter()
        .filter_map(|e| e.fields.official.clone())
        .collect();
    officials.sort();
    officials.dedup();
    let all = f.apply(everything);
    let today = today();
    let pages = all.len().div_ceil(PER_PAGE).max(1);
    let page = f.page.unwrap_or(1).clamp(1, pages);
    let rows: Vec<Value> = all
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|e| row(e, today))
        .collect();
    audit(
        &state,
        &me,
        "view",
        &format!("journal page {page} ({})", f.describe()),
    )?;
    Ok(crate::auth::page(
        &state,
        &me,
        "journal.html",
        json!({
            "rows": rows,
            "total": all.len(),
            "page": page,
            "pages": pages,
            "f": {
                "year": f.year, "from": f.from, "to": f.to, "status": f.status,
                "flag": set(&f.flag).is_some(), "official": f.official,
                "overdue": set(&f.overdue).is_some(),
            },
            "qs": f.query_string(),
            "officials": officials,
            "statuses": statuses(),
        }),
    ))
}

/// The status keys the filters and the status form offer, in the register's order
/// ([`EntryStatus::ALL`]; each has a `status_<key>` message).
pub(crate) fn statuses() -> Vec<&'static str> {
    EntryStatus::ALL.iter().map(|s| s.as_str()).collect()
}

fn serial_of(s: &str) -> Result<Serial, AppError> {
    s.parse::<Serial>().map_err(|_| AppError::NotFound)
}

/// `GET /journal/{serial}`: the entry with its pages, text, amendments and events.
pub async fn entry(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(serial): Path<String>,
) -> Result<Response, AppError> {
    me.require(Area::JournalRead)?;
    let serial = serial_of(&serial)?;
    let entry = state.store.entry_current_view(serial)?;
    let (amendments, events) = state.store.entry_history(serial)?;
    let draft = state.store.get_draft(entry.draft_id).ok();
    let mut pages = Vec::new();
    for (i, page_id) in entry.page_ids.iter().enumerate() {
        let rec = state.store.page_record(*page_id)?;
        let typed = draft
            .as_ref()
            .and_then(|draft| draft.data.transcriptions.get(&rec.stem).cloned());
        pages.push(json!({
            "id": page_id.0, "n": i + 1, "blank": rec.blank, "text": rec.text,
            "typed": typed, "rotation": rec.rotation,
            "w": rec.size[0].max(1), "h": rec.size[1].max(1),
        }));
    }
    let similar = state.search.as_ref().and_then(|index| {
        tokio::task::block_in_place(|| {
            index.sync(&state.store)?;
            index.similar(&state.store, serial)
        })
        .map_err(|e| tracing::warn!("similar appeals of {serial}: {e}"))
        .ok()
    });
    let redact = if me.may(Area::Redact) {
        Some(super::redaction::editor(&state, serial)?)
    } else {
        None
    };
    audit(&state, &me, "view", &format!("entry {serial}"))?;
    Ok(crate::auth::page(
        &state,
        &me,
        "entry.html",
        json!({
            "e": row(&entry, today()),
            "category_label": super::category_label(&state, me.lang(), &entry.fields.category),
            "registration_due": entry.registration_due.to_string(),
            "approved_by": entry.approved_by,
            "opening_id": entry.opening_id.0,
            "pages": pages,
            "amendments": amendments,
            "events": events,
            "similar": similar,
            "redact": redact,
            "fields": ["applicant_name", "anonymous", "address", "phone", "brief", "category", "corruption", "box_date"],
            "statuses": statuses(),
        }),
    ))
}

/// Form of `POST /journal/{serial}/amend`.
#[derive(Debug, Deserialize)]
pub struct AmendForm {
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// `POST /journal/{serial}/amend`: a correction of a registration field, as an amendment
/// row (who, when, why, old → new); the entry itself never changes.
pub async fn amend(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(serial): Path<String>,
    Form(f): Form<AmendForm>,
) -> Result<Response, AppError> {
    me.require(Area::Amend)?;
    let serial = serial_of(&serial)?;
    let field = EntryField::parse(&f.field)?;
    if f.reason.trim().is_empty() {
        return Err(AppError::Invalid("need_reason".into()));
    }
    let mut value = f.value.trim().to_string();
    if field == EntryField::BoxDate {
        if let Some(parsed) = date(&Some(value.clone())) {
            value = parsed.to_string();
        }
    }
    let value = (!value.is_empty()).then_some(value);
    // The store checks the value exactly as at approval; its refusal is shown with the
    // review form's message for that field.
    state
        .store
        .amend_entry(serial, me.login(), field, value.as_deref(), &f.reason)
        .map_err(|e| match e {
            StoreError::Invalid(m) => AppError::Invalid(
                super::queue::field_message(field, value.as_deref())
                    .map(str::to_string)
                    .unwrap_or(m),
            ),
            e => AppError::from(e),
        })?;
    Ok(Redirect::to(&format!("/journal/{serial}#history")).into_response())
}

/// Form of `POST /journal/{serial}/event`.
#[derive(Debug, Deserialize)]
pub struct EventForm {
    kind: String,
    #[serde(default)]
    official: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    reply_no: String,
    #[serde(default)]
    reply_date: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    reason: String,
}

/// `POST /journal/{serial}/event`: follow-up (official, measures, reply, status, extension)
/// as a dated event.
pub async fn event(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(serial): Path<String>,
    Form(f): Form<EventForm>,
) -> Result<Response, AppError> {
    me.require(Area::FollowUp)?;
    let serial = serial_of(&serial)?;
    let store = &state.store;
    let login = me.login();
    let bad_date = || AppError::Invalid("bad_date".into());
    let kind =
        EventKind::parse(f.kind.as_str()).map_err(|_| AppError::BadRequest("kind".into()))?;
    let recorded = match kind {
        EventKind::Assign => store.assign_official(serial, login, &f.official),
        EventKind::Measures => store.record_measures(serial, login, &f.measures),
        EventKind::Reply => {
            let day = date(&Some(f.reply_date.clone())).ok_or_else(bad_date)?;
            store.record_reply(serial, login, &f.reply_no, day)
        }
        EventKind::Status => {
            let status = EntryStatus::parse(f.status.trim())?;
            let reason = f.reason.trim();
            store.set_status(
                serial,
                login,
                status,
                (!reason.is_empty()).then_some(reason),
            )
        }
        EventKind::Extend => {
            let day = date(&Some(f.deadline.clone())).ok_or_else(bad_date)?;
            store.extend_deadline(serial, login, day, &f.reason)
        }
    };
    recorded?;
    Ok(Redirect::to(&format!("/journal/{serial}#history")).into_response())
}

/// `GET /journal/print`: the paper register, A4 landscape, chain head in the footer.
pub async fn print(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(f): Query<Filters>,
) -> Result<Response, AppError> {
    me.require(Area::JournalRead)?;
    let all = f.load(&state)?;
    let today = today();
    let rows: Vec<Value> = all.iter().map(|e| row(e, today)).collect();
    let head = state.store.chain_head()?;
    audit(&state, &me, "print", &format!("journal ({})", f.describe()))?;
    Ok(crate::auth::page(
        &state,
        &me,
        "print.html",
        json!({
            "rows": rows,
            "head": head.map(|h| json!({"label": h.label, "hash": h.hash, "seq": h.seq})),
            "printed_at": chrono::Local::now().format("%Y-%m-%dT%H:%M").to_string(),
            "year": f.year,
            "no_nav": true,
        }),
    ))
}

/// `GET /journal/export.csv`.
pub async fn export_csv(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(f): Query<Filters>,
) -> Result<Response, AppError> {
    me.require(Area::JournalRead)?;
    let list = f.load(&state)?;
    let head = state.store.chain_head()?;
    let bytes = ishenim_export::to_csv(&list, &head).map_err(AppError::internal)?;
    audit(
        &state,
        &me,
        "export",
        &format!("journal csv ({})", f.describe()),
    )?;
    Ok(download(bytes, "text/csv; charset=utf-8", "journal.csv"))
}

/// `GET /journal/export.xlsx`.
pub async fn export_xlsx(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(f): Query<Filters>,
) -> Result<Response, AppError> {
    me.require(Area::JournalRead)?;
    let list = f.load(&state)?;
    let head = state.store.chain_head()?;
    let bytes = ishenim_export::to_xlsx(&list, &head).map_err(AppError::internal)?;
    audit(
        &state,
        &me,
        "export",
        &format!("journal xlsx ({})", f.describe()),
    )?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "journal.xlsx",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_spellings() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5);
        assert_eq!(date(&Some("05.03.2026".into())), d);
        assert_eq!(date(&Some("2026-03-05".into())), d);
        assert_eq!(date(&Some("5 March".into())), None);
    }

    #[test]
    fn query_string_keeps_only_set_filters() {
        let f = Filters {
            year: Some("2026".into()),
            flag: Some("1".into()),
            official: Some(" ".into()),
            ..Filters::default()
        };
        assert_eq!(f.query_string(), "year=2026&flag=1");
    }
}

/// Query of `GET /journal/{serial}/pdf`: `redact=1` for the copy to forward.
#[derive(Debug, Default, Deserialize)]
pub struct PdfQuery {
    /// `1`: the applicant's name, address, phone and receipt code hidden.
    redact: Option<u8>,
}

/// `GET /journal/{serial}/pdf[?redact=1]`: the appeal as one searchable PDF (cover page,
/// page images with an invisible text layer), whole or redacted; made on the blocking
/// pool; audited by `appeal_pdf` itself (ids and counts only).
pub async fn pdf(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(serial): Path<String>,
    Query(q): Query<PdfQuery>,
) -> Result<Response, AppError> {
    me.require(Area::JournalRead)?;
    let serial = serial_of(&serial)?;
    let redact = q.redact == Some(1);
    let store = state.store.clone();
    let opts = ishenim_export::AppealPdfOptions {
        redact,
        boxes: None,
        user: me.user.login.clone(),
    };
    let made = tokio::task::spawn_blocking(move || {
        let font = ishenim_export::load_font()?;
        ishenim_export::appeal_pdf(&store, serial, &opts, &font)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|e| match e {
        ishenim_export::ExportError::Store(s) => AppError::from(s),
        other => AppError::internal(other),
    })?;
    let name = format!(
        "appeal-{serial}{}.pdf",
        if redact { "-redacted" } else { "" }
    );
    Ok(download(made.bytes, "application/pdf", &name))
}
