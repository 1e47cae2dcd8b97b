// Ishenim: the little script the pages need. Everything also works without it.
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf"]');
  var CSRF = csrfMeta ? csrfMeta.getAttribute("content") : "";

  // Language switch returns to the same page.
  document.querySelectorAll(".js-back").forEach(function (el) { el.value = location.pathname + location.search; });
  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-act=print]");
    if (t) { window.print(); }
  });

  // ---------- review screen ----------
  var zoom = 1;
  var current = 0;

  function review() { return document.querySelector(".review"); }
  function pages() { return Array.prototype.slice.call(document.querySelectorAll("#viewer svg.page")); }

  function layoutPage(svg) {
    var w = +svg.dataset.w, h = +svg.dataset.h, r = (+svg.dataset.rotation || 0) % 360;
    var g = svg.querySelector("g.rot");
    g.setAttribute("transform", "rotate(" + r + " " + w / 2 + " " + h / 2 + ")");
    if (r === 90 || r === 270) {
      svg.setAttribute("viewBox", (w / 2 - h / 2) + " " + (h / 2 - w / 2) + " " + h + " " + w);
    } else {
      svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    }
    svg.style.width = (zoom * 100) + "%";
  }

  function showPage(i) {
    var ps = pages();
    if (!ps.length) return;
    current = Math.max(0, Math.min(ps.length - 1, i));
    ps.forEach(function (p, k) { p.classList.toggle("hidden", k !== current); });
    document.querySelectorAll(".thumb").forEach(function (t, k) { t.classList.toggle("active", k === current); });
    layoutPage(ps[current]);
  }

  function setZoom(z) {
    zoom = Math.max(0.5, Math.min(4, z));
    var ps = pages();
    if (ps[current]) layoutPage(ps[current]);
  }

  function rotate() {
    var p = pages()[current];
    if (!p) return;
    p.dataset.rotation = ((+p.dataset.rotation || 0) + 90) % 360;
    layoutPage(p);
  }

  function focusMarks(kind) {
    document.querySelectorAll("svg .mark").forEach(function (m) {
      m.classList.toggle("focus", !!kind && m.dataset.kind === kind);
    });
    if (!kind) return;
    // Show the page holding the first box of this field.
    var ps = pages();
    for (var i = 0; i < ps.length; i++) {
      if (ps[i].querySelector('.mark[data-kind="' + kind + '"]')) { if (i !== current) showPage(i); break; }
    }
  }

  function initReview() {
    var r = review();
    if (!r) return;
    zoom = 1; current = 0;
    // Start on the first page with text (blank backsides come first in duplex stacks).
    var ps = pages(), start = 0;
    for (var i = 0; i < ps.length; i++) { if (ps[i].dataset.blank !== "1") { start = i; break; } }
    showPage(start);
    var anon = document.getElementById("anonymous");
    if (anon) {
      anon.addEventListener("change", function () {
        var n = document.querySelector('input[name="applicant_name"]');
        if (n) n.disabled = anon.checked;
      });
    }
    document.querySelectorAll("[data-mark]").forEach(function (l) {
      l.addEventListener("focusin", function () { focusMarks(l.dataset.mark); });
      l.addEventListener("focusout", function () { focusMarks(null); });
    });
    var sm = document.getElementById("show-marks");
    if (sm) sm.addEventListener("change", function () {
      document.querySelectorAll("svg .marks").forEach(function (g) { g.classList.toggle("off", !sm.checked); });
    });
    // Drag to pan.
    var v = document.getElementById("viewer");
    if (v && !v.dataset.pan) {
      v.dataset.pan = "1";
      var sx, sy, sl, st, down = false;
      v.addEventListener("mousedown", function (e) { down = true; sx = e.clientX; sy = e.clientY; sl = v.scrollLeft; st = v.scrollTop; v.classList.add("dragging"); e.preventDefault(); });
      window.addEventListener("mouseup", function () { down = false; v.classList.remove("dragging"); });
      window.addEventListener("mousemove", function (e) { if (!down) return; v.scrollLeft = sl - (e.clientX - sx); v.scrollTop = st - (e.clientY - sy); });
      v.addEventListener("wheel", function (e) { if (e.ctrlKey) { e.preventDefault(); setZoom(zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15)); } }, { passive: false });
    }
  }

  // Load a letter into the review area without a full page reload.
  function loadDraft(url, push) {
    return fetch(url, { headers: { "x-fragment": "1" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok && r.status !== 400) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        document.getElementById("review").innerHTML = html;
        if (push) history.pushState({ url: url }, "", url);
        initReview();
        window.scrollTo(0, 0);
      })
      .catch(function () { location.href = url; });
  }

  function postForm(form) {
    var body = new URLSearchParams(new FormData(form));
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "x-fragment": "1", "x-csrf-token": CSRF, "content-type": "application/x-www-form-urlencoded" }
    });
  }

  function afterDecision(resp, note) {
    var ct = resp.headers.get("content-type") || "";
    if (ct.indexOf("application/json") >= 0) {
      return resp.json().then(function (j) {
        var url = j.next ? "/queue/" + j.next : "/queue";
        var q = j.serial ? "?registered=" + encodeURIComponent(j.serial) : "?rejected=" + encodeURIComponent(j.rejected);
        return loadDraft(url + q, true);
      });
    }
    // Validation error: the server sent the letter back with the message.
    return resp.text().then(function (html) { document.getElementById("review").innerHTML = html; initReview(); });
  }

  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.id === "approve-form" || f.id === "reject-form") {
      e.preventDefault();
      var btn = f.querySelector("button[type=submit]");
      if (btn) btn.disabled = true;
      postForm(f).then(afterDecision).catch(function () { f.submit(); });
    }
  });

  window.addEventListener("popstate", function (e) {
    if (e.state && e.state.url && review()) loadDraft(e.state.url, false);
  });

  function inField(t) { return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT"); }

  document.addEventListener("keydown", function (e) {
    var r = review();
    if (!r) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      var f = document.getElementById("approve-form");
      if (f && r.dataset.pending === "1") { e.preventDefault(); f.requestSubmit(); }
      return;
    }
    if (e.key === "Escape") { if (document.activeElement) document.activeElement.blur(); return; }
    if (inField(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key;
    var open = function (id, focusSel) {
      var d = document.getElementById(id); if (!d) return;
      d.open = true; var x = d.querySelector(focusSel); if (x) x.focus(); e.preventDefault();
    };
    if (k === "a" || k === "A") {
      var af = document.getElementById("approve-form");
      if (af && r.dataset.pending === "1") { e.preventDefault(); af.requestSubmit(); }
    } else if (k === "j" || k === "J") { if (r.dataset.next) { e.preventDefault(); loadDraft("/queue/" + r.dataset.next, true); } }
    else if (k === "k" || k === "K") { if (r.dataset.prev) { e.preventDefault(); loadDraft("/queue/" + r.dataset.prev, true); } }
    else if (k === "r" || k === "R") { open("reject-box", "select"); }
    else if (k === "s" || k === "S") { open("pages-box", "#split-form select"); }
    else if (k === "m" || k === "M") { open("pages-box", "#merge-form button"); }
    else if (k === "t" || k === "T") { open("text-box", "textarea"); }
    else if (k === "+" || k === "=") { setZoom(zoom * 1.25); }
    else if (k === "-") { setZoom(zoom / 1.25); }
    else if (k === "0") { setZoom(1); }
    else if (k === "o" || k === "O") { rotate(); }
    else if (/^[1-9]$/.test(k)) { showPage(+k - 1); }
    else if (k === "e" || k === "E") { var n = document.querySelector('input[name="applicant_name"]'); if (n) { e.preventDefault(); n.focus(); } }
  });

  document.addEventListener("click", function (e) {
    var t = e.target.closest(".thumb");
    if (t) { showPage(+t.dataset.page); return; }
    var a = e.target.closest("[data-act]");
    if (!a) return;
    if (a.dataset.act === "zoom-in") setZoom(zoom * 1.25);
    if (a.dataset.act === "zoom-out") setZoom(zoom / 1.25);
    if (a.dataset.act === "zoom-fit") setZoom(1);
    if (a.dataset.act === "rotate") rotate();
  });
  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-nav]");
    if (a && review()) { e.preventDefault(); loadDraft(a.getAttribute("href"), true); }
  });

  // ---------- openings: upload with progress, live scan progress ----------
  function initUpload() {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var dz = document.getElementById("dropzone"), input = document.getElementById("files");
    var bar = document.getElementById("upload-bar"), msg = document.getElementById("upload-msg");
    ["dragenter", "dragover"].forEach(function (ev) { dz.addEventListener(ev, function (e) { e.preventDefault(); dz.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (ev) { dz.addEventListener(ev, function (e) { e.preventDefault(); dz.classList.remove("over"); }); });
    dz.addEventListener("drop", function (e) { if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; send(); } });
    form.addEventListener("submit", function (e) { e.preventDefault(); send(); });
    function send() {
      if (!input.files.length) return;
      var fd = new FormData();
      for (var i = 0; i < input.files.length; i++) fd.append("files", input.files[i], input.files[i].name);
      var x = new XMLHttpRequest();
      x.open("POST", form.getAttribute("action"));
      x.setRequestHeader("x-fragment", "1");
      x.setRequestHeader("x-csrf-token", CSRF);
      bar.hidden = false; bar.value = 0;
      x.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
      x.onload = function () {
        if (x.status === 200) {
          var j = JSON.parse(x.responseText);
          msg.textContent = "✓ " + j.stored + " / " + (j.stored + j.known) + (j.refused.length ? " · ✗ " + j.refused.map(function (r) { return r.file + ": " + r.message; }).join("; ") : "");
          input.value = "";
          poll();
        } else { msg.textContent = "✗ " + x.status; }
      };
      x.onerror = function () { msg.textContent = "✗"; };
      x.send(fd);
    }
  }

  var polling = false;
  function poll() {
    var box = document.getElementById("progress");
    if (!box || polling) return;
    polling = true;
    var id = box.dataset.opening;
    (function tick() {
      fetch("/openings/" + id + "/progress", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          var bar = document.getElementById("scan-bar"), st = document.getElementById("scan-state"), n = document.getElementById("scan-count");
          if (j.job) {
            bar.max = Math.max(1, j.job.total); bar.value = j.job.done;
            n.textContent = j.job.done + "/" + j.job.total;
            if (st.dataset.state !== j.job.state) {
              st.dataset.state = j.job.state;
              st.textContent = st.getAttribute("data-label-" + j.job.state) || j.job.state;
            }
          }
          document.getElementById("file-counts").dataset.files = j.counts.files;
          var active = j.job && (j.job.state === "queued" || j.job.state === "scanning" || j.job.state === "drafting");
          if (active) { setTimeout(tick, 1000); }
          else { polling = false; if (j.job && !(j.scan && j.scan.running)) location.reload(); }
        })
        .catch(function () { polling = false; });
    })();
  }

  // ---------- openings: the scanner's live status ----------
  // While a scan runs, its counts and message come from the progress JSON every second;
  // the Cancel form shows only then. The reading of the pages is polled as for uploads.
  var scanPolling = false;
  function showScan(s) {
    var set = function (id, v) { var e = document.getElementById(id); if (e) e.textContent = v; };
    set("scan-pages", s.pages); set("scan-stored", s.stored); set("scan-quarantined", s.quarantined);
    var m = document.getElementById("scan-message");
    if (m) { m.textContent = s.message || ""; m.classList.toggle("error", !!s.problem && s.problem !== "scan_cancelled"); }
    var live = document.getElementById("scan-live"); if (live) { live.hidden = false; live.dataset.running = s.running ? "1" : ""; }
    var cf = document.getElementById("scan-cancel-form"); if (cf) cf.hidden = !s.running;
    var cb = document.getElementById("scan-cancel"); if (cb) cb.disabled = !!s.cancelled;
    var go = document.getElementById("scan-button"); if (go) go.disabled = !!s.running;
  }
  function pollScan() {
    var live = document.getElementById("scan-live");
    if (!live || scanPolling) return;
    scanPolling = true;
    (function tick() {
      fetch("/openings/" + live.dataset.opening + "/progress", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          if (j.scan) showScan(j.scan);
          showLeft(j.left);
          if (j.job && /queued|scanning|drafting/.test(j.job.state)) poll();
          if (j.scan && j.scan.running) { setTimeout(tick, 1000); } else { scanPolling = false; poll(); }
        })
        .catch(function () { scanPolling = false; });
    })();
  }

  // ---------- openings: pages a killed scan left ----------
  // The interrupted-scan notice follows `left` of the progress JSON every 2 s while it is
  // shown: its count and wording (in the user's language, from the server) change when
  // pages are added or stored elsewhere (another clerk, `ishenim scanner store-left`, a
  // new scan), and it hides when none are left.
  var leftPolling = false;
  function showLeft(l) {
    var box = document.getElementById("scan-left");
    if (!box) return;
    box.hidden = !l;
    if (!l) return;
    box.dataset.pages = l.pages;
    var n = document.getElementById("scan-left-notice");
    if (n && n.textContent !== l.notice) n.textContent = l.notice;
  }
  function pollLeft() {
    var box = document.getElementById("scan-left");
    if (!box || leftPolling) return;
    leftPolling = true;
    (function tick() {
      fetch("/openings/" + box.dataset.opening + "/progress", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          showLeft(j.left);
          if (j.scan && j.scan.running) pollScan();
          if (j.left) { setTimeout(tick, 2000); } else { leftPolling = false; }
        })
        .catch(function () { leftPolling = false; });
    })();
  }

  // ---------- entry page: redaction box editor ----------
  // A drag on the page image adds a box (in pixels of the original, as the form sends it);
  // a click on a box, or unticking it in the list, removes it. "Save" posts the form.
  function initRedaction() {
    document.querySelectorAll(".redact-form").forEach(function (form) {
      var page = form.querySelector(".redact-page"), list = form.querySelector(".rbox-list");
      if (!page || page.dataset.ready) return;
      page.dataset.ready = "1";
      var W = +page.dataset.w, H = +page.dataset.h, MIN = 4;
      function dirty() {
        form.classList.add("dirty");
        var n = form.querySelectorAll('input[name=box]:checked').length;
        var c = form.querySelector(".rbox-count"); if (c) c.textContent = n;
      }
      function boxFor(input) { return page.querySelector('.rbox[data-v="' + input.value + '"]'); }
      function checkFor(rect) { return list.querySelector('input[name=box][value="' + rect.getAttribute("data-v") + '"]'); }
      list.addEventListener("change", function (e) {
        var b = e.target.name === "box" && boxFor(e.target);
        if (b) b.classList.toggle("off", !e.target.checked);
        dirty();
      });
      // Page coordinates (original pixels) of a pointer event, kept inside the page.
      function at(e) {
        var r = page.getBoundingClientRect();
        var x = Math.round((e.clientX - r.left) * W / r.width), y = Math.round((e.clientY - r.top) * H / r.height);
        return [Math.max(0, Math.min(W, x)), Math.max(0, Math.min(H, y))];
      }
      function place(rect, b) {
        rect.setAttribute("x", b[0]); rect.setAttribute("y", b[1]);
        rect.setAttribute("width", b[2] - b[0]); rect.setAttribute("height", b[3] - b[1]);
      }
      function newRect(cls) {
        var r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
        r.setAttribute("class", cls);
        return r;
      }
      var start = null, temp = null;
      page.addEventListener("pointerdown", function (e) {
        var hit = e.target.closest(".rbox");
        if (hit) {
          var cb = checkFor(hit);
          if (cb) { cb.checked = !cb.checked; hit.classList.toggle("off", !cb.checked); dirty(); }
          e.preventDefault();
          return;
        }
        start = at(e);
        temp = newRect("rbox drawing");
        place(temp, [start[0], start[1], start[0], start[1]]); page.appendChild(temp);
        if (page.setPointerCapture) { try { page.setPointerCapture(e.pointerId); } catch (x) { /* synthetic pointer */ } }
        e.preventDefault();
      });
      page.addEventListener("pointermove", function (e) {
        if (!start) return;
        var p = at(e);
        place(temp, [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.max(start[0], p[0]), Math.max(start[1], p[1])]);
      });
      function finish(e) {
        if (!start) return;
        var p = at(e), b = [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.max(start[0], p[0]), Math.max(start[1], p[1])];
        start = null;
        if (b[2] - b[0] < MIN || b[3] - b[1] < MIN) { temp.remove(); temp = null; return; }
        var v = b.join(",");
        temp.setAttribute("class", "rbox added"); temp.setAttribute("data-v", v);
        var tip = document.createElementNS("http://www.w3.org/2000/svg", "title");
        tip.textContent = page.dataset.remove || ""; temp.appendChild(tip);
        place(temp, b); temp = null;
        var label = document.createElement("label"), cb = document.createElement("input");
        cb.type = "checkbox"; cb.name = "box"; cb.value = v; cb.checked = true;
        label.appendChild(cb); label.appendChild(document.createTextNode(" " + (list.dataset.added || "+") + " (" + v + ")"));
        var none = list.querySelector(".rbox-none"); if (none) none.remove();
        list.appendChild(label);
        dirty();
      }
      page.addEventListener("pointerup", finish);
      page.addEventListener("pointercancel", function () { if (temp) temp.remove(); start = null; temp = null; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initReview();
    initUpload();
    initRedaction();
    var st = document.getElementById("scan-state");
    if (st && /queued|scanning|drafting/.test(st.dataset.state)) poll();
    var live = document.getElementById("scan-live");
    if (live && live.dataset.running === "1") pollScan();
    pollLeft();
  });
})();
