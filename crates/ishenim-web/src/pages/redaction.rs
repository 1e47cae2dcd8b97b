//! The reviewer's redaction box editor on the entry page (issue 18): each page image with
//! the boxes a redacted copy blacks out; a box is drawn by dragging on the image
//! (`app.js`), removed by a click or by unticking it in the list (a plain form, so removing
//! works without JavaScript), and saved per page (`POST /journal/{serial}/redaction`).
//! The store checks and audits every save; the redacted PDF then uses the saved set.

use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use ishenim_store::{PageId, RedactionBox, Serial, MAX_BOXES_PER_PAGE};
use serde_json::{json, Value};

/// The editor's data for the entry page: one item per page, boxes in pixels of the
/// original (the page is an SVG whose view box is the original's size, so the boxes
/// follow the image at any width, and need no inline style, which the CSP forbids).
pub fn editor(state: &AppState, serial: Serial) -> Result<Vec<Value>, AppError> {
    let view = ishenim_export::redaction_view(&state.store, serial).map_err(|e| match e {
        ishenim_export::ExportError::Store(s) => AppError::from(s),
        other => AppError::internal(other),
    })?;
    Ok(view
        .into_iter()
        .enumerate()
        .map(|(i, page_view)| {
            let [w, h] = [page_view.size[0].max(1), page_view.size[1].max(1)];
            let boxes: Vec<Value> = page_view
                .boxes
                .iter()
                .map(|bbox| {
                    json!({
                        "v": format!("{},{},{},{}", bbox[0], bbox[1], bbox[2], bbox[3]),
                        "x": bbox[0], "y": bbox[1],
                        "bw": bbox[2].saturating_sub(bbox[0]), "bh": bbox[3].saturating_sub(bbox[1]),
                        "auto": page_view.automatic.contains(bbox),
                    })
                })
                .collect();
            json!({
                "page": page_view.page.0, "n": i + 1, "w": w, "h": h, "boxes": boxes,
                "saved_by": page_view.saved.as_ref().map(|saved| saved.0.clone()),
                "saved_at": page_view.saved.as_ref().map(|saved| saved.1.clone()),
            })
        })
        .collect())
}

/// `x0,y0,x1,y1` as a box, or `None`.
fn parse_box(s: &str) -> Option<RedactionBox> {
    let coords: Vec<u32> = s
        .split(',')
        .map(|part| part.trim().parse().ok())
        .collect::<Option<_>>()?;
    <[u32; 4]>::try_from(coords).ok()
}

/// What the form sent: the page, the boxes kept or drawn, and whether to go back to the
/// automatic boxes. Read from the raw body because `box` repeats.
struct RedactionForm {
    page: PageId,
    boxes: Vec<RedactionBox>,
    automatic: bool,
}

fn read_form(body: &str) -> Result<RedactionForm, AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(body).map_err(|_| AppError::BadRequest("form".into()))?;
    let mut page = None;
    let mut boxes = Vec::new();
    let mut automatic = false;
    for (k, v) in pairs {
        match k.as_str() {
            "page" => page = v.trim().parse::<i64>().ok().map(PageId),
            "box" => {
                // Refused before parsing further: the count limit holds for any body.
                if boxes.len() >= MAX_BOXES_PER_PAGE {
                    return Err(AppError::Invalid("redact_too_many".into()));
                }
                boxes
                    .push(parse_box(&v).ok_or_else(|| AppError::Invalid("redact_bad_box".into()))?);
            }
            "do" => automatic = v == "automatic",
            _ => {}
        }
    }
    Ok(RedactionForm {
        page: page.ok_or_else(|| AppError::BadRequest("page".into()))?,
        boxes,
        automatic,
    })
}

/// `POST /journal/{serial}/redaction`: saves one page's boxes (reviewer, commission,
/// admin; CSRF by the middleware; audited by the store), then back to the editor.
pub async fn save(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(serial): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    me.require(Area::Redact)?;
    let serial = serial.parse::<Serial>().map_err(|_| AppError::NotFound)?;
    let form = read_form(&body)?;
    let view = state.store.entry_current_view(serial)?;
    if !view.page_ids.contains(&form.page) {
        return Err(AppError::Invalid("redact_not_this_entry".into()));
    }
    let boxes = (!form.automatic).then_some(form.boxes.as_slice());
    if let Some(kept) = boxes {
        let size = state.store.page_record(form.page)?.size;
        ishenim_store::check_boxes(size, kept)
            .map_err(|fault| AppError::Invalid(format!("redact_{}", fault.key())))?;
    }
    state
        .store
        .save_redaction(serial, form.page, boxes, me.login())?;
    Ok(Redirect::to(&format!("/journal/{serial}#redact-{}", form.page.0)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_keeps_every_box_and_refuses_bad_ones() {
        let f = read_form("csrf=x&page=7&box=1%2C2%2C30%2C40&box=5,6,70,80&do=save").expect("form");
        assert_eq!(f.page, PageId(7));
        assert_eq!(f.boxes, vec![[1, 2, 30, 40], [5, 6, 70, 80]]);
        assert!(!f.automatic);
        assert!(read_form("page=7&do=automatic").expect("reset").automatic);
        assert!(matches!(
            read_form("page=7&box=1,2,3"),
            Err(AppError::Invalid(k)) if k == "redact_bad_box"
        ));
        assert!(matches!(
            read_form("page=7&box=-1,2,3,4"),
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            read_form("box=1,2,30,40"),
            Err(AppError::BadRequest(_))
        ));
        let many = vec!["box=0,0,10,10"; MAX_BOXES_PER_PAGE + 1].join("&");
        assert!(matches!(
            read_form(&format!("page=1&{many}")),
            Err(AppError::Invalid(k)) if k == "redact_too_many"
        ));
    }
}
