//! `ishenim serve`: the web queue of the register.
//!
//! Server-rendered HTML (minijinja templates with auto-escaping, compiled into the binary),
//! a little plain JavaScript, and the store as the only state that matters. Every page
//! needs a login; what a user may see and do is decided by one table, [`auth::allowed`].
//!
//! Layout of the crate:
//! - [`auth`]: sessions in the SQLite file, login rate limit, CSRF and origin checks, roles;
//! - [`i18n`]: the Kyrgyz and Russian message catalogues;
//! - [`pages`]: the screens (openings, review queue, journal, admin);
//! - [`images`]: cached, resized renditions of the original page images;
//! - [`jobs`]: the background ingest of uploaded scans, with live progress.

pub mod auth;
pub mod i18n;
pub mod images;
pub mod inbox;
pub mod jobs;
pub mod pages;
pub mod receipts;
mod render;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use ishenim_draft::Models;
use ishenim_store::Store;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (default 127.0.0.1:8080).
    pub listen: SocketAddr,
    /// Mark cookies `Secure` (only when served over HTTPS, e.g. behind a TLS proxy). Off
    /// by default so that login works on a plain-HTTP LAN address.
    pub secure_cookies: bool,
    /// Session lifetime.
    pub session_hours: i64,
    /// Worker threads for scanning uploads (each with its own Tesseract engine).
    pub scan_jobs: usize,
    /// Tesseract data folder (default: the system's).
    pub tessdata: Option<String>,
    /// Largest upload request in bytes.
    pub max_upload_bytes: usize,
    /// Folder with drafting models (`corruption.toml`, `categories.toml`), or built in.
    pub models_dir: Option<PathBuf>,
    /// The HTTPS proxy in front of the server (`--trusted-proxy ADDR`): only its
    /// `X-Forwarded-For` is believed, and the address it names is the client's for the
    /// login limit. Without it `X-Forwarded-For` is ignored.
    pub trusted_proxy: Option<IpAddr>,
    /// The name the office reaches the server by (`--public-host NAME`): `/login` and
    /// `/setup` refuse other `Host` headers. Without it any name is accepted.
    pub public_host: Option<String>,
    /// Password checks (argon2, ~19 MiB and tens of ms of CPU each) allowed at once;
    /// further logins get 503 at once instead of queueing memory.
    pub login_checks: usize,
    /// Limits of the public status page `/status`.
    pub status_limits: receipts::StatusLimits,
    /// The watched scan folder (`--inbox DIR`), if any.
    pub inbox: Option<PathBuf>,
    /// Milliseconds between two looks at the scan folder.
    pub inbox_poll_ms: u64,
}

/// Body limit of `/login` and `/setup` (a login form is a few hundred bytes).
pub const LOGIN_BODY_LIMIT: usize = 4 << 10;
/// Body limit of every other route but uploads (the largest form is a transcribed page).
pub const FORM_BODY_LIMIT: usize = 64 << 10;

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            secure_cookies: false,
            session_hours: 12,
            scan_jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            tessdata: None,
            max_upload_bytes: 512 << 20,
            models_dir: None,
            trusted_proxy: None,
            public_host: None,
            login_checks: 2,
            status_limits: receipts::StatusLimits::default(),
            inbox: None,
            inbox_poll_ms: 2000,
        }
    }
}

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an I/O error.
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Shared state of all requests.
pub struct App {
    /// The register.
    pub store: Store,
    /// Settings.
    pub config: Config,
    /// Templates and message catalogues.
    pub(crate) render: render::Renderer,
    /// Failed-login counters.
    pub(crate) limiter: auth::LoginLimiter,
    /// Permits for password checks running at once ([`Config::login_checks`]).
    pub(crate) login_checks: Arc<tokio::sync::Semaphore>,
    /// Lookups of the public status page, per address and overall.
    pub(crate) status_limiter: receipts::StatusLimiter,
    /// Background ingest.
    pub jobs: jobs::Jobs,
    /// The office scanner (one scan at a time).
    pub scanner: pages::scanner::Scanner,
    /// Image renditions.
    pub(crate) images: images::Renditions,
    /// Drafting models (for re-drafting after split, merge and transcription).
    pub models: Models,
    /// The full-text index (a derived file beside the register; `None` when it could not
    /// be opened — the search page then says so).
    pub search: Option<ishenim_search::Index>,
}

/// Shared state handle.
pub type AppState = Arc<App>;

/// Builds the application state: starts the ingest worker (which resumes unfinished
/// openings) and loads the drafting models. The store is told the council's category
/// keys from the models, so approvals and amendments accept exactly those.
pub fn app(store: Store, config: Config, models: Models) -> AppState {
    store.set_categories(models.categories().into_iter().map(|c| c.0).collect());
    let jobs = jobs::Jobs::start(store.clone(), &config, models.clone());
    let images = images::Renditions::new(store.clone());
    let search = match ishenim_search::Index::open(&store) {
        Ok(i) => Some(i),
        Err(e) => {
            tracing::error!("search index unavailable: {e}");
            None
        }
    };
    let state = Arc::new(App {
        store,
        render: render::Renderer::new(),
        limiter: auth::LoginLimiter::default(),
        status_limiter: receipts::StatusLimiter::default(),
        login_checks: Arc::new(tokio::sync::Semaphore::new(config.login_checks.max(1))),
        jobs,
        scanner: pages::scanner::Scanner::default(),
        images,
        models,
        search,
        config,
    });
    inbox::start(&state);
    state
}

/// All routes. Everything but `/login`, `/setup`, `/status` (the public lookup by receipt
/// code) and `/static/*` requires a session.
/// Request bodies are small everywhere ([`FORM_BODY_LIMIT`], [`LOGIN_BODY_LIMIT`] before
/// any session) but on the upload route ([`Config::max_upload_bytes`]).
pub fn router(state: AppState) -> Router {
    let entry = Router::new()
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/setup", get(auth::setup_page).post(auth::setup_submit))
        .route(
            "/status",
            get(pages::status::page).post(pages::status::lookup),
        )
        .layer(DefaultBodyLimit::max(LOGIN_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::check_host,
        ));
    let open = entry.route("/static/{file}", get(render::static_file));
    let protected = Router::new()
        .route("/", get(pages::home))
        .route("/logout", post(auth::logout))
        .route("/lang", post(auth::set_lang))
        .route("/queue", get(pages::queue::next))
        .route("/queue/{id}", get(pages::queue::show))
        .route("/queue/{id}/approve", post(pages::queue::approve))
        .route("/queue/{id}/reject", post(pages::queue::reject))
        .route("/queue/{id}/split", post(pages::queue::split))
        .route("/queue/{id}/merge", post(pages::queue::merge))
        .route("/queue/{id}/transcribe", post(pages::queue::transcribe))
        .route("/pages/{id}/image", get(images::page_image))
        .route("/journal", get(pages::journal::list))
        .route("/journal/print", get(pages::journal::print))
        .route("/journal/export.csv", get(pages::journal::export_csv))
        .route("/journal/export.xlsx", get(pages::journal::export_xlsx))
        .route("/journal/{serial}", get(pages::journal::entry))
        .route("/journal/{serial}/pdf", get(pages::journal::pdf))
        .route("/journal/{serial}/redaction", post(pages::redaction::save))
        .route("/journal/{serial}/amend", post(pages::journal::amend))
        .route("/journal/{serial}/event", post(pages::journal::event))
        .route(
            "/openings",
            get(pages::openings::list).post(pages::openings::create),
        )
        .route("/openings/{id}", get(pages::openings::show))
        .route("/openings/{id}/act", get(pages::openings::act))
        .route(
            "/openings/{id}/upload",
            post(pages::openings::upload)
                .layer(DefaultBodyLimit::max(state.config.max_upload_bytes)),
        )
        .route("/openings/{id}/progress", get(pages::openings::progress))
        .route("/openings/{id}/scan", post(pages::scanner::scan))
        .route("/openings/{id}/scan/cancel", post(pages::scanner::cancel))
        .route("/openings/{id}/scan/left", post(pages::scanner::store_left))
        .route(
            "/scanner/failed",
            get(pages::failed::list).post(pages::failed::act),
        )
        .route("/scanner/failed/preview", get(pages::failed::preview))
        .route("/files/{id}/retry", post(pages::openings::retry))
        .route("/search", get(pages::search::page))
        .route("/reports", get(pages::reports::page))
        .route("/reports/print", get(pages::reports::print))
        .route("/reports/export.csv", get(pages::reports::export_csv))
        .route("/reports/export.xlsx", get(pages::reports::export_xlsx))
        .route("/admin", get(pages::admin::users))
        .route("/admin/users", post(pages::admin::add_user))
        .route("/admin/users/{login}", post(pages::admin::change_user))
        .route("/admin/audit", get(pages::admin::audit))
        .route(
            "/admin/scanner",
            get(pages::scanner::page).post(pages::scanner::save),
        )
        .route("/receipts", get(pages::receipts::page))
        .route("/receipts/slips", post(pages::receipts::slips))
        .route("/receipts/board", get(pages::receipts::board))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_session,
        ));
    Router::new()
        .merge(open)
        .merge(protected)
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
        .layer(middleware::from_fn(render::generic_rejections))
        .layer(middleware::from_fn(auth::security_headers))
        .layer(middleware::from_fn(render::access_log))
        .with_state(state)
}

/// Runs the server until Ctrl-C / SIGTERM.
pub async fn serve(state: AppState) -> Result<(), ServeError> {
    let addr = state.config.listen;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    state.jobs.shutdown();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut sigterm) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            sigterm.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
