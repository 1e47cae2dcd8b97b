//! The half-year analysis (`ishenim-report`): on screen, printable (A4) and as CSV/XLSX.

use super::{audit, download};
use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use ishenim_report::{HalfYear, Report, ReportOptions};
use serde::Deserialize;
use serde_json::json;

/// `?half=2026H1`.
#[derive(Debug, Deserialize, Default)]
pub struct HalfQuery {
    half: Option<String>,
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The half asked for, or the current one.
fn half_of(q: &HalfQuery) -> Result<HalfYear, AppError> {
    match q.half.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        Some(h) => h
            .parse::<HalfYear>()
            .map_err(|_| AppError::Invalid("bad_half".into())),
        None => Ok(HalfYear::containing(today())),
    }
}

fn build(state: &AppState, half: HalfYear) -> Result<Report, AppError> {
    let opts = ReportOptions::with_models(today(), &state.models);
    tokio::task::block_in_place(|| Report::build(&state.store, half, &opts))
        .map_err(AppError::internal)
}

/// `GET /reports?half=2026H1`.
pub async fn page(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<HalfQuery>,
) -> Result<Response, AppError> {
    me.require(Area::Reports)?;
    let half = half_of(&q)?;
    let report = build(&state, half)?;
    audit(&state, &me, "report", &half.to_string())?;
    Ok(crate::auth::page(
        &state,
        &me,
        "reports.html",
        json!({
            "half": half.to_string(),
            "report_html": report.html_fragment(me.lang()),
        }),
    ))
}

/// `GET /reports/print?half=…`: the A4 page (our stylesheet, no inline CSS).
pub async fn print(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<HalfQuery>,
) -> Result<Response, AppError> {
    me.require(Area::Reports)?;
    let half = half_of(&q)?;
    let report = build(&state, half)?;
    audit(&state, &me, "print", &format!("report {half}"))?;
    Ok(crate::auth::page(
        &state,
        &me,
        "report_print.html",
        json!({
            "half": half.to_string(),
            "report_html": report.html_fragment(me.lang()),
            "no_nav": true,
        }),
    ))
}

/// `GET /reports/export.csv?half=…`.
pub async fn export_csv(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<HalfQuery>,
) -> Result<Response, AppError> {
    me.require(Area::Reports)?;
    let half = half_of(&q)?;
    let report = build(&state, half)?;
    audit(&state, &me, "export", &format!("report {half} csv"))?;
    Ok(download(
        report.to_csv(me.lang()).into_bytes(),
        "text/csv; charset=utf-8",
        &format!("report-{half}.csv"),
    ))
}

/// `GET /reports/export.xlsx?half=…`.
pub async fn export_xlsx(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<HalfQuery>,
) -> Result<Response, AppError> {
    me.require(Area::Reports)?;
    let half = half_of(&q)?;
    let report = build(&state, half)?;
    let bytes = report.to_xlsx(me.lang()).map_err(AppError::internal)?;
    audit(&state, &me, "export", &format!("report {half} xlsx"))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("report-{half}.xlsx"),
    ))
}
