//! Full-text search of registered appeals (Kyrgyz inflections, ө/ү/ң readings, Russian
//! stems; see the `ishenim-search` crate) with the journal's filters. The audit log gets
//! the query, never the text found.

use super::audit;
use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Query as Q, State};
use axum::response::Response;
use axum::Extension;
use ishenim_search::{Query, QueryError};
use serde::Deserialize;
use serde_json::json;

/// Results per page.
const LIMIT: usize = 50;

/// The search form.
#[derive(Debug, Deserialize, Default)]
pub struct Form {
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    status: Option<String>,
    category: Option<String>,
    flag: Option<String>,
    anonymous: Option<String>,
    official: Option<String>,
    village: Option<String>,
}

fn message_of(e: &QueryError) -> &'static str {
    match e {
        QueryError::Empty => "search_empty",
        _ => "search_bad_query",
    }
}

/// `GET /search?q=…`: the form, and the hits when a query is given.
pub async fn page(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Q(f): Q<Form>,
) -> Result<Response, AppError> {
    me.require(Area::Search)?;
    let text = f.q.clone().unwrap_or_default();
    let filters: Vec<(&str, &Option<String>)> = vec![
        ("from", &f.from),
        ("to", &f.to),
        ("status", &f.status),
        ("category", &f.category),
        ("flag", &f.flag),
        ("anonymous", &f.anonymous),
        ("official", &f.official),
        ("village", &f.village),
    ];
    let asked = !text.trim().is_empty()
        || filters
            .iter()
            .any(|(_, v)| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
    let mut ctx = json!({
        "q": text,
        "f": {
            "from": f.from, "to": f.to, "status": f.status, "category": f.category,
            "flag": f.flag, "anonymous": f.anonymous, "official": f.official, "village": f.village,
        },
        "categories": super::categories(&state, me.lang()),
        "statuses": super::journal::statuses(),
    });
    if !asked {
        return Ok(crate::auth::page(&state, &me, "search.html", ctx));
    }
    let Some(index) = state.search.as_ref() else {
        ctx["error"] = json!("search_unavailable");
        return Ok(crate::auth::page(&state, &me, "search.html", ctx));
    };
    let parsed = Query::parse_lenient(&text).and_then(|mut query| {
        for (key, value) in &filters {
            if let Some(value) = value.as_deref().filter(|value| !value.trim().is_empty()) {
                query.filters.set(key, value)?;
            }
        }
        if query.terms.is_empty() && query.filters.is_empty() {
            return Err(QueryError::Empty);
        }
        Ok(query)
    });
    let query = match parsed {
        Ok(query) => query,
        Err(e) => {
            ctx["error"] = json!(message_of(&e));
            return Ok(crate::auth::page(&state, &me, "search.html", ctx));
        }
    };
    let store = state.store.clone();
    let hits = tokio::task::block_in_place(|| {
        index.sync(&store)?;
        let total = index.count(&query)?;
        index.search(&query, LIMIT, 0).map(|page| (total, page))
    });
    let (total, hits) = hits.map_err(AppError::internal)?;
    audit(
        &state,
        &me,
        "search",
        &format!("query {:?} → {total} hits", cut(&text, 200)),
    )?;
    ctx["hits"] = json!(hits);
    ctx["total"] = json!(total);
    Ok(crate::auth::page(&state, &me, "search.html", ctx))
}

/// The query as typed, cut for the audit log.
fn cut(s: &str, n: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(n).collect()
}
