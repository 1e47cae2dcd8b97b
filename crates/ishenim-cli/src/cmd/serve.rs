//! `ishenim serve [--listen ADDR:PORT]`: the web queue (see the `ishenim-web` crate).

use crate::cmd::ctx::Global;
use anyhow::Context;
use std::net::SocketAddr;
use std::process::ExitCode;

/// Flags of `ishenim serve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address and port to listen on. Use 0.0.0.0:8080 (or the PC's LAN address) to serve
    /// other computers of the office network.
    #[arg(long, default_value = "127.0.0.1:8080", env = "ISHENIM_LISTEN")]
    pub listen: SocketAddr,
    /// Mark cookies Secure: only when the server is reached over HTTPS (behind a TLS proxy).
    #[arg(long, env = "ISHENIM_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Session lifetime in hours.
    #[arg(long, default_value_t = 12)]
    pub session_hours: i64,
    /// Scan threads for uploads, each with its own Tesseract engine (default: cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Tesseract data folder (default: the system's).
    #[arg(long, env = "TESSDATA_PREFIX")]
    pub tessdata: Option<String>,
    /// Address of the HTTPS proxy in front of the server: only its X-Forwarded-For is
    /// believed (the login limit then counts per real client, not per proxy).
    #[arg(long, env = "ISHENIM_TRUSTED_PROXY", value_name = "ADDR")]
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// The name the office uses to reach the server (e.g. ishenim.local or 192.168.1.10):
    /// the login and setup pages refuse requests for any other Host.
    #[arg(long, env = "ISHENIM_PUBLIC_HOST", value_name = "NAME")]
    pub public_host: Option<String>,
    /// Lookups of the public status page (`/status`) one client address may make per hour.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub status_per_address: usize,
    /// Lookups of the public status page all clients together may make per hour.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub status_overall: usize,
    /// Watched scan folder: complete files of DIR/<opening id>/ (or DIR/, into the newest
    /// opening) are stored, read and moved to DIR/done/ (DIR/failed/ with the reason).
    #[arg(long, env = "ISHENIM_INBOX", value_name = "DIR")]
    pub inbox: Option<std::path::PathBuf>,
    /// Milliseconds between two looks at the scan folder.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub inbox_poll_ms: u64,
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    init_logging();
    if std::env::var("OMP_THREAD_LIMIT").as_deref() != Ok("1") {
        tracing::warn!(
            "OMP_THREAD_LIMIT is not 1: Tesseract will be much slower (set it before starting)"
        );
    }
    let store = global.store()?;
    let models = global.models()?;
    let mut config = ishenim_web::Config {
        listen: args.listen,
        secure_cookies: args.secure_cookies,
        session_hours: args.session_hours.clamp(1, 24 * 30),
        tessdata: args.tessdata,
        models_dir: global.models.clone(),
        trusted_proxy: args.trusted_proxy,
        public_host: args.public_host.filter(|h| !h.trim().is_empty()),
        status_limits: ishenim_web::receipts::StatusLimits {
            per_address: args.status_per_address.max(1),
            overall: args.status_overall.max(1),
            ..ishenim_web::receipts::StatusLimits::default()
        },
        inbox: args.inbox,
        inbox_poll_ms: args.inbox_poll_ms,
        ..ishenim_web::Config::default()
    };
    if let Some(jobs) = args.jobs {
        config.scan_jobs = jobs.max(1);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        let state = ishenim_web::app(store, config, models);
        let users = state.store.list_users().map(|u| u.len()).unwrap_or(0);
        println!("ishenim: serving on http://{}/", args.listen);
        if users == 0 {
            println!(
                "ishenim: no users yet — open http://{}/setup to create the first admin",
                args.listen
            );
        }
        ishenim_web::serve(state).await
    })?;
    Ok(ExitCode::SUCCESS)
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ISHENIM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}
