//! What the tests of the web share: the real `ishenim serve` on a free port, Debian's
//! headless Chromium driven through chromedriver, signing in through the login form, and
//! screenshots (`ISHENIM_SCREENSHOTS=DIR`). One copy here, so a change of the login form
//! or of Chromium's flags is made once for every test that drives the browser.

use crate::{command, root};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use std::future::Future;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Kills the child when dropped (also when a check fails).
pub(crate) struct Guard(pub(crate) Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A local port nobody listens on now.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Waits (30 s at most) until something accepts connections on `port`.
pub(crate) fn wait_port(port: u16, what: &str) {
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "{what} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `ishenim user add LOGIN --role ROLE --password-stdin` on the register in `data`.
pub(crate) fn add_user(data: &Path, login: &str, role: &str, password: &str) {
    let mut child = command(
        &root(),
        [
            "--data",
            data.to_str().expect("utf-8 path"),
            "user",
            "add",
            login,
            "--role",
            role,
            "--password-stdin",
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .expect("user add");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write password");
    assert!(child.wait().expect("wait").success(), "user add {login}");
}

/// A running `ishenim serve`, killed when dropped.
pub(crate) struct Server {
    pub(crate) port: u16,
    pub(crate) child: Guard,
}

impl Server {
    /// `ishenim --data DATA serve --listen 127.0.0.1:PORT EXTRA…` started in `cwd` on a
    /// free port, its standard error to `log`; returns once it accepts connections.
    pub(crate) fn start(cwd: &Path, data: &Path, extra: &[&str], log: impl Into<Stdio>) -> Self {
        Self::start_with_env(cwd, data, extra, &[], log)
    }

    /// [`Server::start`] with environment variables for the server (e.g. `SANE_CONFIG_DIR`
    /// for a scanner of the test's own; the test process's environment stays untouched).
    pub(crate) fn start_with_env(
        cwd: &Path,
        data: &Path,
        extra: &[&str],
        env: &[(&str, &Path)],
        log: impl Into<Stdio>,
    ) -> Self {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut args = vec![
            "--data",
            data.to_str().expect("utf-8 path"),
            "serve",
            "--listen",
            &listen,
        ];
        args.extend_from_slice(extra);
        let child = command(cwd, args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("serve");
        let child = Guard(child);
        wait_port(port, "ishenim serve");
        Server { port, child }
    }

    /// The server's address for the browser: `http://127.0.0.1:PORT`.
    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Headless Chromium driven through its own chromedriver, with a runtime to drive it from
/// a plain test. Fields drop in order: the session, the runtime, then chromedriver.
pub(crate) struct Browser {
    pub(crate) client: Client,
    rt: tokio::runtime::Runtime,
    _driver: Guard,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a 1400×900 headless Chromium window.
    pub(crate) fn start() -> Self {
        let dport = free_port();
        let driver = std::process::Command::new("chromedriver")
            .arg(format!("--port={dport}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt install chromium-driver; `make test` does)");
        let driver = Guard(driver);
        wait_port(dport, "chromedriver");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let client = rt.block_on(async {
            let mut caps = serde_json::map::Map::new();
            caps.insert(
                "goog:chromeOptions".into(),
                serde_json::json!({
                    "binary": "/usr/bin/chromium",
                    "args": ["--headless", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update",
                             "--disable-sync", "--window-size=1400,900"]
                }),
            );
            ClientBuilder::rustls()
                .expect("tls")
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{dport}"))
                .await
                .expect("connect to chromedriver")
        });
        Browser {
            client,
            rt,
            _driver: driver,
        }
    }

    /// Runs browser steps to their end.
    pub(crate) fn block_on<F: Future>(&self, steps: F) -> F::Output {
        self.rt.block_on(steps)
    }

    /// Ends the browser session (chromedriver itself goes when the value is dropped).
    pub(crate) fn close(&self) {
        let _ = self.block_on(self.client.clone().close());
    }
}

/// With `ISHENIM_SCREENSHOTS=DIR`, the window as `DIR/NAME.png`.
pub(crate) async fn shot(c: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("ISHENIM_SCREENSHOTS") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }
}

/// The element `css` once it is on the page (20 s at most).
pub(crate) async fn find(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("element {css}: {e}"))
}

/// Signs in through the login form and waits for the signed-in page header.
pub(crate) async fn log_in(c: &Client, base: &str, login: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.expect("goto login");
    find(c, "input[name=login]")
        .await
        .send_keys(login)
        .await
        .expect("login");
    find(c, "input[name=password]")
        .await
        .send_keys(password)
        .await
        .expect("password");
    find(c, "form[action='/login'] button")
        .await
        .click()
        .await
        .expect("submit");
    if c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("header.top"))
        .await
        .is_err()
    {
        let src = c.source().await.unwrap_or_default();
        panic!(
            "{login} not signed in; page: {}",
            src.chars()
                .filter(|c| *c != '\n')
                .skip(300)
                .take(1500)
                .collect::<String>()
        );
    }
}

/// Switches the interface language with the header's button (Kyrgyz ↔ Russian).
pub(crate) async fn switch_lang(c: &Client) {
    let old = find(c, "html").await;
    find(c, "form[action='/lang'] button")
        .await
        .click()
        .await
        .expect("switch language");
    // The form posts and the page reloads: wait until the old page is gone, so the next
    // lookup finds an element of the new page, not a stale one of the old (a flaky
    // StaleElementReference in the redaction test).
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page did not reload after switching the language");
}

/// An HTML file as headless Chromium renders it on an A4 page (794×1123 CSS pixels) at
/// `scale` device pixels a CSS pixel (3.125 is 300 dpi), saved as the PNG `png`.
pub(crate) fn render_html(html: &Path, png: &Path, scale: f64) {
    let o = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--disable-dev-shm-usage",
            "--window-size=794,1123",
        ])
        .arg(format!("--force-device-scale-factor={scale}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium (apt install chromium; `make test` does)");
    assert!(
        png.is_file(),
        "no page {}: {}",
        png.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}
