//! The review queue: the oldest pending draft first, the original page image on the left
//! (word boxes behind each field and each corruption reason, low-confidence words marked),
//! the editable journal fields on the right. Approve gives the serial at once and moves on
//! without a full page reload (the script swaps the next letter in); every action also
//! works as a plain form.

use super::{audit, wants_fragment};
use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Json, Redirect, Response};
use axum::{Extension, Form};
use ishenim_draft::draft_letters;
use ishenim_page::PageRecord;
use ishenim_store::{
    check_field, ApprovedFields, Draft, DraftId, DraftStatus, EntryField, LetterDraft, PageId,
    StoreError,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The draft's fields to check against the image (confidence below
/// [`ishenim_draft::UNSURE_BELOW`]). None for a draft that drafting never read (no pages:
/// a regrouped letter before it is drafted again, a draft saved by hand), whose zero
/// confidences mean "not measured".
fn unsure_fields(data: &LetterDraft) -> Vec<&'static str> {
    if data.pages.is_empty() {
        return Vec::new();
    }
    data.unsure_fields()
}

/// Words below this confidence are marked on the image.
const LOW_CONF: f32 = 60.0;

/// A text field of the draft for the form: trimmed, `None` when empty.
fn text(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Query of the review screen (`?registered=2026-0001` after a no-script approval).
#[derive(Debug, Deserialize, Default)]
pub struct ShowQuery {
    registered: Option<String>,
    rejected: Option<i64>,
}

/// `GET /queue`: the oldest pending draft, or "the queue is empty".
pub async fn next(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    me.require(Area::Queue)?;
    let pos = state.store.queue_position(None)?;
    match pos.first {
        Some(id) => render_review(&state, &me, id, &headers, &q, None).await,
        None => {
            let ctx = json!({ "empty": true, "pending": 0, "registered": q.registered });
            if wants_fragment(&headers) {
                fragment(&state, &me, ctx)
            } else {
                Ok(crate::auth::page(&state, &me, "queue.html", ctx))
            }
        }
    }
}

/// `GET /queue/{id}`: one draft (pending or already decided, then read-only).
pub async fn show(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    me.require(Area::Queue)?;
    render_review(&state, &me, DraftId(id), &headers, &q, None).await
}

fn fragment(state: &AppState, me: &CurrentUser, ctx: Value) -> Result<Response, AppError> {
    let html = state
        .render
        .render_string("review.html", me.lang(), Some(me), ctx)
        .map_err(AppError::internal)?;
    Ok(Html(html).into_response())
}

/// Builds the review context of a draft. `form` carries a rejected submission back (with
/// its error) so nothing typed is lost.
async fn render_review(
    state: &AppState,
    me: &CurrentUser,
    id: DraftId,
    headers: &HeaderMap,
    q: &ShowQuery,
    form: Option<(&ApproveForm, &str)>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let ctx = tokio::task::spawn_blocking(move || review_context(&store, id))
        .await
        .map_err(AppError::internal)??;
    audit(state, me, "view", &format!("draft {id}"))?;
    let mut ctx = ctx;
    ctx["categories"] = json!(super::categories(state, me.lang()));
    ctx["registered"] = json!(q.registered);
    ctx["rejected"] = json!(q.rejected);
    if let Some((form, err)) = form {
        ctx["fields"] = json!({
            "applicant_name": form.applicant_name,
            "anonymous": form.anonymous.is_some(),
            "address": form.address,
            "phone": form.phone,
            "summary": form.brief,
            "category": form.category,
            "corruption": form.corruption.is_some(),
            "official": form.official,
            "receipt_code": form.receipt_code,
        });
        ctx["error"] = json!(err);
    }
    let mut resp = if wants_fragment(headers) {
        fragment(state, me, ctx)?
    } else {
        crate::auth::page(state, me, "queue.html", ctx)
    };
    if form.is_some() {
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(resp)
}

/// Everything the review screen shows of one draft.
fn review_context(store: &ishenim_store::Store, id: DraftId) -> Result<Value, AppError> {
    let draft = store.get_draft(id)?;
    let pos = store.queue_position(Some(id))?;
    let mut pages = Vec::new();
    let mut stem_index = BTreeMap::new();
    for (i, pid) in draft.page_ids.iter().enumerate() {
        let rec = store.page_record(*pid)?;
        stem_index.insert(rec.stem.clone(), i);
        let low: Vec<Value> = rec
            .words
            .iter()
            .filter(|w| w.conf < LOW_CONF)
            .map(|w| json!({ "bbox": w.bbox }))
            .collect();
        let transcription = draft.data.transcription(&rec.stem);
        pages.push(json!({
            "id": pid.0,
            "n": i + 1,
            "stem": rec.stem,
            "blank": rec.blank,
            "conf": rec.mean_conf.round(),
            "w": rec.size[0].max(1),
            "h": rec.size[1].max(1),
            "rotation": rec.rotation,
            "low": low,
            // Writing the reader gave up on: drawn on the page so the reviewer types it.
            "unread": rec.unread.iter().map(|u| json!({ "bbox": u.bbox, "reason": u.reason })).collect::<Vec<_>>(),
            "text": rec.text,
            "needs_transcription": ishenim_draft::page_needs_transcription(&rec),
            "transcription": transcription,
        }));
    }
    let page_of = |stem: &str| stem_index.get(stem).copied();
    let mut marks = Vec::new();
    for (field, list) in &draft.data.spans {
        for span in list {
            if let (Some(page), Some(bbox)) = (page_of(&span.page), span.bbox) {
                marks.push(json!({ "page": page, "bbox": bbox, "kind": field }));
            }
        }
    }
    let mut reasons = Vec::new();
    for reason in &draft.data.corruption.reasons {
        let page = page_of(&reason.page);
        if let (Some(page), Some(bbox)) = (page, reason.bbox) {
            marks.push(json!({ "page": page, "bbox": bbox, "kind": "corruption" }));
        }
        reasons.push(json!({
            "phrase": reason.phrase,
            "term": reason.term,
            "note": reason.note,
            "page": page.map(|index| index + 1),
        }));
    }
    let (receipt, receipt_warnings) =
        receipt_of(store, draft.data.receipt_code.as_ref(), &page_of)?;
    if let Some(receipt) = &receipt {
        if let (Some(page), Some(bbox)) = (receipt["page_index"].as_u64(), receipt.get("bbox")) {
            marks.push(json!({ "page": page, "bbox": bbox, "kind": "receipt" }));
        }
    }
    let drafted = !draft.data.pages.is_empty();
    let settings = store.deadline_settings()?;
    let cal = store.calendar()?;
    let today = chrono::Local::now().date_naive();
    let deadline = cal.consideration_due(today, &settings);
    let fields = json!({
        "applicant_name": text(draft.data.applicant.name.as_deref()),
        "anonymous": draft.anonymous,
        "address": text(draft.data.address.as_deref()),
        "phone": text(draft.data.phone.as_deref()),
        "summary": text(Some(&draft.data.summary)),
        "category": draft.category.clone().unwrap_or_else(|| "other".into()),
        "corruption": draft.corruption,
        "official": Value::Null,
        "receipt_code": receipt.as_ref().map(|r| r["code"].clone()),
    });
    Ok(json!({
        "receipt": receipt,
        "receipt_warnings": receipt_warnings,
        "draft": {
            "id": draft.id.0,
            "opening_id": draft.opening_id.0,
            "status": draft.status.as_str(),
            "pending": draft.status == DraftStatus::Pending,
            "serial": draft.serial.map(|serial| serial.to_string()),
            "reason": draft.reason,
            "decided_by": draft.decided_by,
            "lang": draft.data.lang.map(ishenim_store::Lang::code),
            "date": text(draft.data.date.as_deref()),
            "needs_transcription": draft.data.needs_transcription,
            // A draft drafting never read has no score or confidences to show.
            "score": drafted.then_some(draft.data.corruption.score),
            "confidence": drafted.then_some(&draft.data.confidence),
            "warnings": draft.data.warnings,
            "unsure": unsure_fields(&draft.data),
        },
        "fields": fields,
        "pages": pages,
        "marks": marks,
        "reasons": reasons,
        "deadline": deadline.to_string(),
        "pos": {
            "pending": pos.pending,
            "prev": pos.prev.map(|prev| prev.0),
            "next": pos.next.map(|next| next.0),
        },
    }))
}

/// The draft's receipt code for the review screen (code, confidence, source, page, box)
/// and the register's warnings about it (never issued here, already used by an entry).
fn receipt_of(
    store: &ishenim_store::Store,
    code_read: Option<&ishenim_draft::ReceiptCode>,
    page_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<(Option<Value>, Vec<Value>), AppError> {
    let Some(code_read) = code_read else {
        return Ok((None, Vec::new()));
    };
    let Ok(code) = ishenim_receipt::Code::parse(&code_read.code) else {
        return Ok((None, Vec::new()));
    };
    let warnings = crate::receipts::warnings(store, &code)?
        .into_iter()
        .map(|(key, value)| json!({ "key": key, "value": value }))
        .collect();
    let page = page_of(&code_read.page);
    Ok((
        Some(json!({
            "code": code.to_string(),
            "confidence": code_read.confidence,
            "source": code_read.source,
            "page": page.map(|index| index + 1),
            "page_index": page,
            "bbox": code_read.bbox,
        })),
        warnings,
    ))
}

/// The approval form: the journal's registration fields.
#[derive(Debug, Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    applicant_name: String,
    anonymous: Option<String>,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    brief: String,
    #[serde(default)]
    category: String,
    corruption: Option<String>,
    #[serde(default)]
    official: String,
    /// The receipt code the reviewer confirmed or typed (empty: none).
    #[serde(default)]
    receipt_code: String,
}

fn opt(s: &str) -> Option<String> {
    let trimmed = s.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// The review form's message for a value of `field` that the store's check
/// ([`check_field`], the same for approval and amendment) refuses.
pub fn field_message(field: EntryField, value: Option<&str>) -> Option<&'static str> {
    match field {
        EntryField::Brief if value.is_none_or(|v| v.trim().is_empty()) => Some("need_brief"),
        EntryField::Brief => Some("brief_too_long"),
        EntryField::Category => Some("need_category"),
        _ => None,
    }
}

/// The message for the first field of an approval the store refuses.
fn approval_message(state: &AppState, f: &ApprovedFields) -> &'static str {
    let cats = state.store.categories();
    let cats = cats.as_deref().map(Vec::as_slice);
    [
        (EntryField::Brief, Some(f.brief.as_str())),
        (EntryField::Category, Some(f.category.as_str())),
    ]
    .into_iter()
    .find(|(field, v)| check_field(*field, *v, cats).is_err())
    .and_then(|(field, v)| field_message(field, v))
    .unwrap_or("err_invalid")
}

/// Checks what the form alone can tell (a name unless anonymous, a brief); every field's
/// value is checked by the store. The error is a message key.
fn validate(f: &ApproveForm) -> Result<ApprovedFields, &'static str> {
    let anonymous = f.anonymous.is_some();
    if !anonymous && opt(&f.applicant_name).is_none() {
        return Err("need_name");
    }
    if opt(&f.brief).is_none() {
        return Err("need_brief");
    }
    Ok(ApprovedFields {
        applicant_name: if anonymous {
            None
        } else {
            opt(&f.applicant_name)
        },
        anonymous,
        address: opt(&f.address),
        phone: opt(&f.phone),
        brief: f.brief.trim().to_string(),
        category: f.category.trim().to_string(),
        corruption: f.corruption.is_some(),
        official: opt(&f.official),
    })
}

fn after(state: &AppState, id: DraftId) -> Result<Option<i64>, AppError> {
    let pos = state.store.queue_position(Some(id))?;
    Ok(pos.next.or(pos.first).map(|d| d.0))
}

/// `POST /queue/{id}/approve`: registers the letter; answers the script with
/// `{"serial", "next"}` or redirects a plain form to the next letter.
pub async fn approve(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<ApproveForm>,
) -> Result<Response, AppError> {
    me.require(Area::Queue)?;
    let id = DraftId(id);
    let fields = match validate(&f) {
        Ok(x) => x,
        Err(key) => {
            return render_review(
                &state,
                &me,
                id,
                &headers,
                &ShowQuery::default(),
                Some((&f, key)),
            )
            .await
        }
    };
    let code = match opt(&f.receipt_code).map(|c| ishenim_receipt::Code::parse(&c)) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => {
            return render_review(
                &state,
                &me,
                id,
                &headers,
                &ShowQuery::default(),
                Some((&f, "receipt_bad")),
            )
            .await
        }
    };
    let store = state.store.clone();
    let user = me.login().to_string();
    let message = approval_message(&state, &fields);
    let res = tokio::task::spawn_blocking(move || {
        let link = code
            .map(|c| crate::receipts::link_for(&store, &c))
            .transpose()?;
        store.approve_draft_with_receipt(id, &user, &fields, link.as_ref())
    })
    .await
    .map_err(AppError::internal)?;
    let serial = match res {
        Ok(s) => s,
        Err(StoreError::Invalid(m)) => {
            tracing::info!("approval of draft {id} refused: invalid input");
            let _ = m;
            return render_review(
                &state,
                &me,
                id,
                &headers,
                &ShowQuery::default(),
                Some((&f, message)),
            )
            .await;
        }
        Err(e) => return Err(AppError::from(e)),
    };
    let next = after(&state, id)?;
    if wants_fragment(&headers) {
        return Ok(Json(json!({ "serial": serial.to_string(), "next": next })).into_response());
    }
    let to = match next {
        Some(n) => format!("/queue/{n}?registered={serial}"),
        None => format!("/queue?registered={serial}"),
    };
    Ok(Redirect::to(&to).into_response())
}

/// The rejection form: a kind (not an appeal, duplicate, other) and a note.
#[derive(Debug, Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    note: String,
}

/// `POST /queue/{id}/reject`: needs a reason; consumes no serial.
pub async fn reject(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<RejectForm>,
) -> Result<Response, AppError> {
    me.require(Area::Queue)?;
    let id = DraftId(id);
    let kind = match f.kind.as_str() {
        k @ ("not_appeal" | "duplicate" | "other") => k,
        _ => return Err(AppError::Invalid("need_reason".into())),
    };
    let note = f.note.trim();
    if kind == "other" && note.is_empty() {
        return Err(AppError::Invalid("need_reason".into()));
    }
    let reason = if note.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {note}")
    };
    state.store.reject_draft(id, me.login(), &reason)?;
    let next = after(&state, id)?;
    if wants_fragment(&headers) {
        return Ok(Json(json!({ "rejected": id.0, "next": next })).into_response());
    }
    let to = match next {
        Some(n) => format!("/queue/{n}?rejected={}", id.0),
        None => format!("/queue?rejected={}", id.0),
    };
    Ok(Redirect::to(&to).into_response())
}

/// Re-runs drafting on a draft's current pages (typed transcriptions replace the OCR text
/// of their pages) and saves the new proposal. Used after split, merge and transcription.
fn redraft(state: &AppState, id: DraftId) -> Result<(), AppError> {
    let draft: Draft = state.store.get_draft(id)?;
    let mut records: Vec<PageRecord> = Vec::with_capacity(draft.page_ids.len());
    for page_id in &draft.page_ids {
        let rec = state.store.page_record(*page_id)?;
        match draft.data.transcription(&rec.stem) {
            Some(text) => {
                let mut typed = ishenim_draft::eval::page_from_text(&rec.stem, text);
                typed.size = rec.size;
                records.push(typed);
            }
            None => records.push(rec),
        }
    }
    let stems: Vec<String> = records.iter().map(|r| r.stem.clone()).collect();
    let letters = draft_letters(&records, &state.models);
    // The reviewer decided these pages are one letter: keep the first proposal's fields,
    // all pages, and the typed text.
    let mut data = letters
        .into_iter()
        .next()
        .unwrap_or_else(|| draft.data.clone());
    data.pages = stems;
    if !draft.data.transcriptions.is_empty() {
        data.transcriptions = draft.data.transcriptions;
        data.needs_transcription = false;
    }
    state
        .store
        .set_draft_data(id, &data)
        .map_err(AppError::from)
}

/// Form of `POST /queue/{id}/split`: the page that starts the new letter.
#[derive(Debug, Deserialize)]
pub struct SplitForm {
    at: i64,
}

/// `POST /queue/{id}/split`: pages from `at` on become a new draft (both re-drafted).
pub async fn split(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(f): Form<SplitForm>,
) -> Result<Response, AppError> {
    me.require(Area::Queue)?;
    let new = state
        .store
        .split_draft(DraftId(id), PageId(f.at), me.login())?;
    redraft(&state, DraftId(id))?;
    redraft(&state, new)?;
    audit(&state, &me, "split", &format!("draft {id} -> draft {new}"))?;
    Ok(Redirect::to(&format!("/queue/{id}")).into_response())
}

/// Form of `POST /queue/{id}/merge`: the draft whose pages are appended.
#[derive(Debug, Deserialize)]
pub struct MergeForm {
    with: i64,
}

/// `POST /queue/{id}/merge`: appends another pending draft's pages (re-drafted).
pub async fn merge(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, AppError> {
    me.require(Area::Queue)?;
    let into = state
        .store
        .merge_drafts(DraftId(id), DraftId(f.with), me.login())?;
    redraft(&state, into)?;
    audit(
        &state,
        &me,
        "merge",
        &format!("draft {} -> draft {into}", f.with),
    )?;
    Ok(Redirect::to(&format!("/queue/{into}")).into_response())
}

/// Form of `POST /queue/{id}/transcribe`: the typed text of one page.
#[derive(Debug, Deserialize)]
pub struct TranscribeForm {
    page: i64,
    #[serde(default)]
    text: String,
}

/// `POST /queue/{id}/transcribe`: keeps the typed text of a handwritten or unreadable page
/// with the draft and re-drafts the letter from it.
pub async fn transcribe(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Form(f): Form<TranscribeForm>,
) -> Result<Response, AppError> {
    me.require(Area::Queue)?;
    let did = DraftId(id);
    let draft = state.store.get_draft(did)?;
    if !draft.page_ids.contains(&PageId(f.page)) {
        return Err(AppError::NotFound);
    }
    if f.text.chars().count() > 50_000 {
        return Err(AppError::Invalid("text_too_long".into()));
    }
    let stem = state.store.page_info(PageId(f.page))?.stem;
    let mut data = draft.data;
    let typed = f.text.trim();
    if typed.is_empty() {
        data.transcriptions.remove(&stem);
    } else {
        data.transcriptions.insert(stem, typed.to_string());
    }
    state.store.set_draft_data(did, &data)?;
    redraft(&state, did)?;
    audit(
        &state,
        &me,
        "transcribe",
        &format!("draft {id} page {}", f.page),
    )?;
    Ok(Redirect::to(&format!("/queue/{id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, anon: bool, brief: &str, cat: &str) -> ApproveForm {
        ApproveForm {
            applicant_name: name.into(),
            anonymous: anon.then(|| "on".into()),
            address: " ".into(),
            phone: String::new(),
            brief: brief.into(),
            category: cat.into(),
            corruption: None,
            official: String::new(),
            receipt_code: String::new(),
        }
    }

    #[test]
    fn approval_needs_a_name_unless_anonymous_and_a_brief() {
        assert_eq!(
            validate(&form("", false, "x", "land")).err(),
            Some("need_name")
        );
        assert!(validate(&form("", true, "x", "land")).is_ok());
        assert_eq!(
            validate(&form("A", false, " ", "land")).err(),
            Some("need_brief")
        );
        let ok = validate(&form("Асанов Б.", false, "жер", "land")).expect("valid");
        assert_eq!(ok.address, None);
        assert_eq!(ok.applicant_name.as_deref(), Some("Асанов Б."));
    }

    #[test]
    fn fields_read_without_confidence_are_marked() {
        let data = LetterDraft::from_stored(serde_json::json!({
            "pages": ["p1"],
            "confidence": {"applicant": 0.95, "address": 0.5, "phone": 0.2, "date": 0.6,
                           "summary": 0.55, "category": 0.9, "corruption": 0.8}
        }));
        assert_eq!(unsure_fields(&data), ["address", "phone", "summary"]);
        assert!(
            unsure_fields(&LetterDraft::from_stored(serde_json::json!({}))).is_empty(),
            "old drafts without confidence"
        );
        assert!(
            unsure_fields(&LetterDraft::from_stored(
                serde_json::json!({"regrouped_from": [3]})
            ))
            .is_empty(),
            "a regrouped draft before it is drafted again"
        );
    }
}
