/* Quiz attempt page: background autosave, an offline copy in localStorage, and the timer.
   Answers are saved (1) when the learner changes page (the form posts), (2) in the background
   shortly after every input or change, retried with backoff while offline, and (3) kept in
   localStorage until the server confirms them, so a reload or a crash resends them. */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = document.getElementById("save-status");
  var d = form.dataset;
  var key = "lms-quiz-attempt-" + d.attempt;
  var page = d.page;
  var timer = null, retry = null, backoff = 1000, inflight = false, again = false, closed = false;

  function setStatus(text, state) {
    if (status.textContent !== text) status.textContent = text;
    status.setAttribute("data-state", state);
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function keep(all) {
    try {
      if (Object.keys(all).length) localStorage.setItem(key, JSON.stringify(all));
      else localStorage.removeItem(key);
    } catch (e) { /* private mode or full: the server copy still counts */ }
  }
  function snapshot() {
    var fields = [];
    new FormData(form).forEach(function (v, k) {
      if (k !== "csrf_token" && k !== "goto" && k !== "check") fields.push([k, v]);
    });
    return { t: Date.now(), fields: fields };
  }
  function remember() {
    var all = load();
    all[page] = snapshot();
    keep(all);
  }
  function forget(p, t) {
    var all = load();
    if (all[p] && all[p].t <= t) { delete all[p]; keep(all); }
  }
  function post(fields) {
    var body = new FormData();
    fields.forEach(function (f) { body.append(f[0], f[1]); });
    return fetch(d.autosave, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": d.csrf, "Accept": "application/json" }
    });
  }
  function sendAll() {
    if (closed) return;
    if (inflight) { again = true; return; }
    var all = load();
    var pages = Object.keys(all);
    if (!pages.length) { setStatus(d.msgSaved, "saved"); return; }
    inflight = true;
    var p = pages[0], snap = all[p];
    post(snap.fields).then(function (r) {
      if (r.status === 409) {
        closed = true; keep({});
        setStatus(d.msgClosed, "closed");
        window.location.reload();
        return;
      }
      if (r.status >= 400 && r.status < 500) { forget(p, snap.t); return; }  // refused: never retry
      if (!r.ok) throw new Error("server " + r.status);
      backoff = 1000;
      forget(p, snap.t);
      return r.json().then(function (j) { if (j.seconds_left != null) startClock(j.seconds_left); });
    }).catch(function () {
      setStatus(d.msgOffline, "offline");
      clearTimeout(retry);
      retry = setTimeout(sendAll, backoff);
      backoff = Math.min(backoff * 2, 30000);
    }).then(function () {
      inflight = false;
      if (closed) return;
      if (again || Object.keys(load()).length) {
        again = false;
        if (status.getAttribute("data-state") !== "offline") setTimeout(sendAll, 0);
      } else {
        setStatus(d.msgSaved, "saved");
      }
    });
  }
  function changed() {
    remember();
    setStatus(d.msgUnsaved, "unsaved");
    clearTimeout(timer);
    timer = setTimeout(sendAll, 700);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  window.addEventListener("online", function () { backoff = 1000; sendAll(); });
  window.addEventListener("pagehide", function () { if (load()[page]) remember(); });

  // Restore an unsent copy of this page newer than the server's last save, then resend it.
  (function restore() {
    var all = load(), snap = all[page];
    if (!snap) { if (Object.keys(all).length) sendAll(); return; }
    if (snap.t < Number(d.lastSaved || 0)) { delete all[page]; keep(all); return; }
    var values = {};
    snap.fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "slots" || el.name === "page" ||
          el.type === "submit" || el.disabled) return;  // disabled: an answer already checked
      var v = values[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") el.checked = v.indexOf(el.value) >= 0;
      else if (v.length) el.value = v[0];
    });
    setStatus(d.msgUnsaved, "unsaved");
    sendAll();
  })();

  // Page changes post the form: the server saves the answers; drop our copy once it did.
  form.addEventListener("submit", function () { remember(); });

  // The timer counts down from what the server says is left; the server enforces it.
  var clock = document.getElementById("quiz-timer"), end = null, tick = null;
  function show() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    clock.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
    if (left <= 60) clock.parentNode.setAttribute("data-urgent", "true");
    if (left === 0) {
      clearInterval(tick);
      setStatus(d.msgTimeup, "closed");
      var fin = document.createElement("input");
      fin.type = "hidden"; fin.name = "goto"; fin.value = "finish";
      form.appendChild(fin);
      form.submit();
    }
  }
  function startClock(seconds) {
    if (!clock) return;
    end = Date.now() + seconds * 1000;
    clearInterval(tick);
    tick = setInterval(show, 1000);
    show();
  }
  if (clock) startClock(Number(clock.getAttribute("data-seconds-left")));
})();
