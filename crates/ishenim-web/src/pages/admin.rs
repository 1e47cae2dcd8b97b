//! Users (admin) and the audit log (admin, commission).

use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use ishenim_store::{normalize_login, Role};
use serde::Deserialize;
use serde_json::json;

/// `GET /admin`: the users.
pub async fn users(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    me.require(Area::Users)?;
    let users = state.store.list_users()?;
    Ok(crate::auth::page(
        &state,
        &me,
        "admin.html",
        json!({ "users": users, "roles": ["clerk", "reviewer", "commission", "admin"] }),
    ))
}

/// Form of `POST /admin/users`.
#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    login: String,
    password: String,
    role: String,
    #[serde(default)]
    lang: String,
}

/// `POST /admin/users`: adds a user (argon2 hash made on the blocking pool).
pub async fn add_user(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(f): Form<NewUserForm>,
) -> Result<Response, AppError> {
    me.require(Area::Users)?;
    let role = Role::parse(&f.role)?;
    let lang = if f.lang == "ru" { "ru" } else { "ky" };
    let store = state.store.clone();
    let login = f.login.trim().to_string();
    let l2 = login.clone();
    tokio::task::spawn_blocking(move || store.add_user(&l2, &f.password, role, lang))
        .await
        .map_err(AppError::internal)??;
    state.store.audit(
        me.login(),
        "user_add",
        &format!("{login} {}", role.as_str()),
    )?;
    Ok(Redirect::to("/admin").into_response())
}

/// Form of `POST /admin/users/{login}`: one change at a time.
#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    action: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

/// `POST /admin/users/{login}`: disable, enable, change role, set password. Nobody
/// disables or demotes themselves here, and the store refuses to leave no active admin;
/// a new password ends every session of the account (the store does it).
pub async fn change_user(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(login): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, AppError> {
    me.require(Area::Users)?;
    // One spelling of the login for the guard and the store alike (`admin2%20` is
    // `admin2`); a name no account can have is not found.
    let login = normalize_login(&login).map_err(|_| AppError::NotFound)?;
    let store = &state.store;
    let self_change = login == me.login();
    match f.action.as_str() {
        "disable" if !self_change => store.set_user_active(&login, false),
        "enable" => store.set_user_active(&login, true),
        "role" if !self_change => {
            let role = Role::parse(&f.role)?;
            store.set_user_role(&login, role)
        }
        "password" => {
            let store = store.clone();
            let (login_copy, password) = (login.clone(), f.password.clone());
            tokio::task::spawn_blocking(move || store.set_password(&login_copy, &password))
                .await
                .map_err(AppError::internal)?
        }
        _ => return Err(AppError::Invalid("not_on_yourself".into())),
    }?;
    store.audit(me.login(), &format!("user_{}", f.action), &login)?;
    Ok(Redirect::to("/admin").into_response())
}

/// Query of `GET /admin/audit`.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    limit: Option<u32>,
}

/// `GET /admin/audit`: the latest audit records.
pub async fn audit(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    me.require(Area::Audit)?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let records = state.store.list_audit(limit)?;
    Ok(crate::auth::page(
        &state,
        &me,
        "audit.html",
        json!({ "records": records, "limit": limit }),
    ))
}
