//! Receipt codes end to end (issue 17), with the real binary, the real Tesseract, a real
//! SQLite file, the real HTTP server and headless Chromium:
//!
//! slips are printed (`receipts new`); a letter page carrying one slip's stub (its QR and
//! its printed code, cut from the printed sheet) is made by this module's page generator
//! (HTML rasterised by Chromium at 300 dpi); it is ingested; the draft carries the code;
//! the review screen shows it; the draft is approved with it; `status` answers
//! "registered", and "answered" after a reply event; a code with one wrong symbol is
//! refused by the check; the public `/status` page passes the security checks (headers,
//! CSRF, no content leak, one answer for wrong and unknown codes, audit by hash prefix);
//! 10 000 random codes find nothing and are throttled.
//!
//! With `ISHENIM_SCREENSHOTS=DIR` the review screen with its code, the slip sheet and the
//! status page are saved there in Kyrgyz and Russian.

use crate::browser::{add_user, find, log_in, render_html, shot, switch_lang, Browser, Server};
use crate::{ishenim, ok, NewOpening};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

const PASS: &str = "receipt-test-pass";

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    crate::run_in(dir, Path::new("data"), args)
}

/// Every code printed on a slip sheet, in order (each appears on both halves).
fn codes_of(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in html.split(['>', '<']) {
        if w.len() == 14
            && w.as_bytes()[4] == b'-'
            && w.as_bytes()[9] == b'-'
            && ishenim_receipt::Code::parse(w).is_ok()
            && !out.iter().any(|c| c == w)
        {
            out.push(w.to_string());
        }
    }
    out
}

/// The stub (the half for the letter) of `code`, exactly as printed on the sheet.
fn stub_of(html: &str, code: &str) -> String {
    let at = html.find(code).expect("code on the sheet");
    let start = html[..at]
        .rfind("<div class=\"half letter\">")
        .expect("stub start");
    let end = start
        + html[start..]
            .find("<div class=\"half keep\">")
            .expect("stub end");
    html[start..end].to_string()
}

/// The project's page generator for this test: an anonymous Kyrgyz letter on A4 with the
/// slip's stub glued at the bottom right, as an HTML page for Chromium to rasterise.
fn letter_page(stub: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>\
         html,body{{margin:0;background:#fff}}body{{width:210mm;height:297mm;position:relative;\
         font-family:'DejaVu Serif',serif;font-size:13pt;line-height:1.6;color:#111}}\
         .t{{padding:22mm 22mm 0 25mm}}.r{{text-align:right}}h1{{text-align:center;font-size:15pt}}\
         .stub{{position:absolute;right:22mm;bottom:28mm;width:52mm;border:1px dashed #666;\
         padding:2mm;text-align:center;font-family:'DejaVu Sans',sans-serif}}\
         .stub .t{{padding:0;font-size:8pt;font-weight:bold;line-height:1.2}}\
         .stub .code{{font-family:'DejaVu Sans Mono',monospace;font-size:14pt;font-weight:bold}}\
         .stub .cut{{font-size:7pt}}</style></head><body><div class=\"t\">\
         <p class=\"r\">Кара-Суу айыл өкмөтүнүн башчысына</p><h1>АРЫЗ</h1>\
         <p>Биздин көчөдөгү жолдун абалы өтө начар. Жамгыр жааганда балдар мектепке бара албай \
         калышат, унаалар өтпөй калат. Мурда да кайрылганбыз, бирок эч нерсе өзгөргөн жок.</p>\
         <p>Жолду оңдоп берүүнү суранабыз. Атыбызды жазбайбыз, жоопту талондогу код менен \
         текшеребиз.</p><p>2026-жылдын 1-декабры</p><p>Анонимдүү</p></div>\
         <div class=\"stub\">{stub}</div></body></html>"
    )
}

/// Rasterises an HTML file to a PNG of an A4 page at 300 dpi with headless Chromium.
fn rasterise(html: &Path, png: &Path) {
    render_html(html, png, 3.125);
}

/// Puts the receipt field in focus and scrolls the page image to the stub's mark.
async fn show_receipt(c: &fantoccini::Client) {
    find(c, "#receipt_code").await.click().await.expect("focus");
    c.execute(
        "document.querySelector('svg .mark.receipt').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await
    .expect("scroll");
}

/// With `ISHENIM_SCREENSHOTS=DIR`, a print page as Chromium renders it on A4.
fn shot_file(html: &Path, name: &str) {
    if let Some(d) = std::env::var_os("ISHENIM_SCREENSHOTS") {
        let png = Path::new(&d).join(format!("{name}.png"));
        let _ = std::fs::remove_file(&png);
        render_html(html, &png, 1.25);
    }
}

/// One HTTP/1.1 request on a fresh connection: status, lower-cased headers, body.
fn http(port: u16, req: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    s.write_all(req.as_bytes()).expect("send");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("read");
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_string())
}

/// The status form: its CSRF cookie and field.
fn status_form(port: u16) -> (String, String) {
    let (st, head, body) = http(
        port,
        &format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(st, 200);
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ishenim_status="))
        .and_then(|v| v.split(';').next())
        .expect("status cookie")
        .to_string();
    let t = body
        .split("name=\"t\" value=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .expect("token field")
        .to_string();
    (cookie, t)
}

fn post_status(
    port: u16,
    cookie: Option<&str>,
    t: &str,
    code: &str,
    extra: &str,
) -> (u16, String, String) {
    let body = format!("t={t}&lang=ky&code={}", code.replace(' ', "+"));
    let cookie = cookie
        .map(|c| format!("Cookie: ishenim_status={c}\r\n"))
        .unwrap_or_default();
    http(
        port,
        &format!(
            "POST /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{cookie}{extra}Content-Type: \
             application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// One symbol of `code` replaced by another symbol of the alphabet.
/// Symbols with a look-alike that OCR confuses and `Code::repair` tries (its `TWINS`).
const AMBIGUOUS: &str = "B8S5Z2G6D0Q9";

/// `code` with its seventh symbol (a digit) replaced by a W, a shape no digit is read as.
fn unlike_wrong(code: &str) -> String {
    let mut b: Vec<char> = code.chars().collect();
    b[6] = 'W';
    b.into_iter().collect()
}

fn one_wrong(code: &str) -> String {
    let mut b: Vec<char> = code.chars().collect();
    b[6] = if b[6] == 'K' { 'M' } else { 'K' };
    b.into_iter().collect()
}

#[test]
fn slips_letter_review_status_and_the_public_page() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    // Slips.
    ok(&run(
        dir,
        &["receipts", "new", "--count", "12", "--out", "slips.html"],
    ));
    let sheet = std::fs::read_to_string(dir.join("slips.html")).expect("sheet");
    let codes = codes_of(&sheet);
    assert_eq!(codes.len(), 12, "12 distinct codes");
    assert_eq!(
        sheet.matches("<section class=\"sheet\">").count(),
        2,
        "10 a sheet"
    );
    let code = codes[3].clone();
    // A letter page with that slip's stub, read like any scan.
    std::fs::write(
        dir.join("letter.html"),
        letter_page(&stub_of(&sheet, &code)),
    )
    .expect("html");
    rasterise(&dir.join("letter.html"), &dir.join("letter.png"));
    let opening = NewOpening {
        members: "Асанов Б.,Токтогулова А.,Иванов П.",
        seal_removed: "0101",
        seal_applied: "0102",
        letters: "1",
        at: None,
    };
    let id = ok(&run(dir, &opening.args()));
    ok(&run(dir, &["ingest", "--opening", id.trim(), "letter.png"]));
    let drafts = ok(&run(dir, &["drafts", "list", "--json"]));
    let draft_id =
        serde_json::from_str::<serde_json::Value>(drafts.lines().next().expect("a draft"))
            .expect("json")["id"]
            .to_string();
    let d: serde_json::Value =
        serde_json::from_str(&ok(&run(dir, &["drafts", "show", &draft_id, "--json"])))
            .expect("json");
    let rc = &d["data"]["receipt_code"];
    assert_eq!(rc["code"], code.as_str(), "the stub's code is read: {rc}");
    assert_eq!(rc["source"], "qr");
    eprintln!("receipt code read: {rc}");

    // The server and the browser.
    add_user(&dir.join("data"), "rev1", "reviewer", PASS);
    let log = std::fs::File::create(dir.join("serve.log")).expect("log");
    let server = Server::start(dir, Path::new("data"), &["--jobs", "1"], log);
    let port = server.port;
    let browser = Browser::start();
    let c = &browser.client;
    let base = server.base();
    browser.block_on(async {
        log_in(c, &base, "rev1", PASS).await;
        c.goto(&format!("{base}/queue/{draft_id}"))
            .await
            .expect("review");
        let shown = find(c, "#receipt_code")
            .await
            .prop("value")
            .await
            .expect("value");
        assert_eq!(
            shown.as_deref(),
            Some(code.as_str()),
            "the review screen shows the code"
        );
        find(c, "svg .mark.receipt").await;
        show_receipt(c).await;
        shot(c, "review-receipt-ky").await;
        switch_lang(c).await;
        find(c, "#receipt_code").await;
        show_receipt(c).await;
        shot(c, "review-receipt-ru").await;
        switch_lang(c).await;
    });

    // Approval with the reviewer's code; the status follows the entry.
    let serial = ok(&run(
        dir,
        &[
            "drafts",
            "approve",
            &draft_id,
            "--receipt",
            &code.to_lowercase(),
        ],
    ));
    let serial = serial.trim().to_string();
    let st: serde_json::Value =
        serde_json::from_str(&ok(&run(dir, &["status", &code, "--json"]))).expect("json");
    assert_eq!(st["found"], true);
    assert_eq!(st["appeals"][0]["stage"], "registered");
    assert_eq!(st["appeals"][0]["registration_number"], serial.as_str());
    let txt = ok(&run(dir, &["status", &code]));
    assert!(txt.contains("Катталды") && txt.contains(&serial), "{txt}");
    for private in ["жолдун", "Анонимдүү", "rev1", "cli"] {
        assert!(
            !txt.contains(private) && !st.to_string().contains(private),
            "{private} leaked"
        );
    }
    // The public page, in both languages, in the browser (2 lookups).
    browser.block_on(async {
        for lang in ["ky", "ru"] {
            c.goto(&format!("{base}/status?lang={lang}"))
                .await
                .expect("status");
            find(c, "input[name=code]")
                .await
                .send_keys(&code)
                .await
                .expect("type");
            find(c, "form[action='/status'] button")
                .await
                .click()
                .await
                .expect("submit");
            let cell = find(c, ".status-result td:nth-child(2)")
                .await
                .text()
                .await
                .expect("text");
            assert_eq!(cell, serial);
            shot(c, &format!("status-{lang}")).await;
        }
    });
    browser.close();
    // A reply event: answered, with the date and outgoing number.
    ok(&run(
        dir,
        &[
            "journal",
            "reply",
            &serial,
            "--number",
            "01-15/204",
            "--date",
            "2026-12-04",
        ],
    ));
    let st: serde_json::Value =
        serde_json::from_str(&ok(&run(dir, &["status", &code, "--json"]))).expect("json");
    assert_eq!(st["appeals"][0]["stage"], "answered");
    assert_eq!(st["appeals"][0]["answered_on"], "2026-12-04");
    assert_eq!(st["appeals"][0]["outgoing_no"], "01-15/204");
    // The notice board: the code's first symbols and the stage, nothing else.
    ok(&run(dir, &["receipts", "board", "--out", "board.html"]));
    let board = std::fs::read_to_string(dir.join("board.html")).expect("board");
    assert!(board.contains(&format!("{}…", &code[..4])) && board.contains("01-15"));
    assert!(!board.contains(&code) && !board.contains(&serial) && !board.contains("жолдун"));
    shot_file(&dir.join("slips.html"), "slips");
    shot_file(&dir.join("board.html"), "board");
    // One wrong symbol: refused by the check (exit 2), never looked up.
    let o = run(dir, &["status", &one_wrong(&code)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("контрольный знак"));

    public_page_security(port, &code, &serial, dir);
}

/// Headers, CSRF, no leak, one answer, audit by prefix, and the throttle under 10 000
/// parallel lookups of random codes. The browser already made 2 lookups from this address.
fn public_page_security(port: u16, code: &str, serial: &str, dir: &Path) {
    let (st, head, body) = http(
        port,
        &format!(
            "GET /status?lang=ru HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(st, 200, "no login needed");
    for h in [
        "content-security-policy: default-src 'self'",
        "x-frame-options: deny",
        "x-content-type-options: nosniff",
        "cache-control: no-store",
        "referrer-policy: same-origin",
    ] {
        assert!(head.contains(h), "{h} missing in {head}");
    }
    assert!(head.contains("httponly") && head.contains("samesite=strict"));
    assert!(body.contains("Статус обращения"));
    let (cookie, t) = status_form(port);
    // CSRF: no cookie, a wrong token, a foreign origin — refused before any lookup.
    assert_eq!(post_status(port, None, &t, code, "").0, 403);
    assert_eq!(
        post_status(port, Some(&cookie), &"0".repeat(64), code, "").0,
        403
    );
    assert_eq!(
        post_status(
            port,
            Some(&cookie),
            &t,
            code,
            "Origin: http://evil.example\r\n"
        )
        .0,
        403
    );
    // Found (lookup 3): only box date, number, stage.
    let (st, _, found) = post_status(port, Some(&cookie), &t, code, "");
    assert_eq!(st, 200);
    assert!(
        found.contains(serial) && found.contains("04.12.2026") && found.contains("01-15"),
        "answered, with the date and number"
    );
    for private in ["жолдун", "Анонимдүү", "rev1", code] {
        assert!(!found.contains(private), "{private} in the answer");
    }
    // Wrong (one symbol) and unknown codes (lookups 4, 5): the same answer, byte for byte.
    let (s1, _, wrong) = post_status(port, Some(&cookie), &t, &one_wrong(code), "");
    let unknown_code = ishenim_receipt::Code::generate().expect("code").to_string();
    let (s2, _, unknown) = post_status(port, Some(&cookie), &t, &unknown_code, "");
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(wrong, unknown, "wrong and unknown codes get one answer");
    assert!(!wrong.contains(serial) && !wrong.contains(&unknown_code));

    // 10 000 random codes: none is known to the register...
    let store = ishenim_store::Store::open(&dir.join("data")).expect("store");
    let randoms: Vec<ishenim_receipt::Code> = (0..10_000)
        .map(|_| ishenim_receipt::Code::generate().expect("code"))
        .collect();
    let secret = ishenim_web::receipts::secret(&store).expect("secret");
    let known = randoms
        .iter()
        .filter(|c| {
            let ch = store.receipt_check(&secret.hash(c)).expect("check");
            ch.issued || !ch.used_by.is_empty()
        })
        .count();
    assert_eq!(known, 0, "random codes find nothing");
    // ...and through the page, from 8 parallel clients, all but the 5 lookups left of this
    // address's 10 an hour are throttled before the register is asked.
    let randoms: Vec<String> = randoms.iter().map(|c| c.to_string()).collect();
    let results: Vec<(usize, usize, usize)> = std::thread::scope(|s| {
        let hs: Vec<_> = randoms
            .chunks(1250)
            .map(|chunk| {
                let (cookie, t, serial) = (&cookie, &t, serial);
                s.spawn(move || {
                    let (mut okn, mut throttled, mut leaked) = (0, 0, 0);
                    for c in chunk {
                        let (st, _, b) = post_status(port, Some(cookie), t, c, "");
                        match st {
                            200 => okn += 1,
                            429 => throttled += 1,
                            other => panic!("status {other}"),
                        }
                        leaked += usize::from(b.contains(serial));
                    }
                    (okn, throttled, leaked)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let answered: usize = results.iter().map(|r| r.0).sum();
    let throttled: usize = results.iter().map(|r| r.1).sum();
    assert_eq!(
        results.iter().map(|r| r.2).sum::<usize>(),
        0,
        "nothing found"
    );
    assert_eq!(answered, 5, "the limit holds under parallel requests");
    assert_eq!(throttled, 9_995);
    // The audit log: lookups by hash prefix only, never the code or its whole hash.
    let audit = store.list_audit(5000).expect("audit");
    let lookups: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "receipt_lookup")
        .collect();
    assert!(lookups.len() >= 10, "{}", lookups.len());
    let full = secret.hash(&ishenim_receipt::Code::parse(code).expect("code"));
    for a in &lookups {
        assert!(
            !a.object.contains(code) && !a.object.contains(&full),
            "{}",
            a.object
        );
        assert!(
            a.object.starts_with("hash ") && a.object.len() < 30,
            "{}",
            a.object
        );
    }
    assert!(lookups.iter().any(|a| a.object.contains(&full[..8])));
    // The server log holds no code.
    let log = std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default();
    assert!(!log.contains(code), "code in the server log");
}

/// A stub whose QR symbol is torn off: only the label and the printed code.
fn printed_stub(code: &str) -> String {
    format!(
        "<div class=\"t\">Катка тиркеңиз<br>Приложите к письму</div><div class=\"code\">{code}</div>"
    )
}

/// The id and receipt code of the draft made from `png`, ingested into a new opening.
fn draft_of(dir: &Path, png: &str, known: &[String]) -> (String, serde_json::Value) {
    let opening = NewOpening {
        members: "Асанов Б.,Токтогулова А.,Иванов П.",
        seal_removed: "0201",
        seal_applied: "0202",
        letters: "1",
        at: None,
    };
    let id = ok(&run(dir, &opening.args()));
    ok(&run(dir, &["ingest", "--opening", id.trim(), png]));
    let drafts = ok(&run(dir, &["drafts", "list", "--json"]));
    let draft_id = drafts
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["id"].to_string())
        .find(|d| !known.contains(d))
        .expect("a new draft");
    let d: serde_json::Value =
        serde_json::from_str(&ok(&run(dir, &["drafts", "show", &draft_id, "--json"])))
            .expect("json");
    (draft_id, d["data"]["receipt_code"].clone())
}

/// Without the QR symbol the printed code is still found: the text engine reads its Latin
/// symbols as Cyrillic, the scanner reads the code-shaped line again in Latin. A code with
/// one wrong symbol fails the check and gives the draft no code.
#[test]
fn printed_code_without_qr() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let code = ishenim_receipt::Code::generate().expect("code").to_string();
    // One symbol wrong, and no symbol that OCR or a repair could read as its twin: a wrong
    // code whose twin readings are ambiguous is refused by `repair`, yet one misread of its
    // dotted zero as Q can land on the valid code (CI run of stop 21).
    // The wrong symbol must also look nothing like the right one: a K printed where the
    // valid code has Y was read back as Y, which is the valid code (CI run of stop 24).
    let wrong = std::iter::repeat_with(|| ishenim_receipt::Code::generate().expect("code"))
        .filter(|c| {
            c.to_string()
                .chars()
                .nth(6)
                .is_some_and(|s| "1347".contains(s))
        })
        .map(|c| unlike_wrong(&c.to_string()))
        .find(|w| {
            ishenim_receipt::Code::repair(w).is_err() && !w.chars().any(|c| AMBIGUOUS.contains(c))
        })
        .expect("a wrong code");
    for (name, c) in [("good", code.as_str()), ("wrong", wrong.as_str())] {
        std::fs::write(
            dir.join(format!("{name}.html")),
            letter_page(&printed_stub(c)),
        )
        .expect("html");
        rasterise(
            &dir.join(format!("{name}.html")),
            &dir.join(format!("{name}.png")),
        );
    }
    // The scan record: the code is a printed mark, not a QR symbol.
    let scan = ok(&ishenim(dir, &["scan", "--json", "good.png"]));
    let rec: serde_json::Value = serde_json::from_str(scan.trim()).expect("record");
    assert_eq!(rec["qr"][0]["text"], code.as_str(), "{}", rec["qr"]);
    assert_eq!(rec["qr"][0]["kind"], "printed");
    let (first, rc) = draft_of(dir, "good.png", &[]);
    assert_eq!(rc["code"], code.as_str(), "the printed code is read: {rc}");
    assert_eq!(rc["source"], "text");
    let (_, rc) = draft_of(dir, "wrong.png", &[first]);
    assert!(rc.is_null(), "a code failing its check is not taken: {rc}");
}
