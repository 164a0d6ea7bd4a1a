/* Check-in at the door: read the QR code on the registrant's phone with this phone's camera.
 * Uses the browser's BarcodeDetector where it exists; elsewhere loads the vendored jsQR
 * decoder (vendor/jsQR.js, no CDN). Each code read is POSTed to the check-in endpoint, which
 * answers JSON {status, message, checked_in}. */
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) { return; }
  var startBtn = document.getElementById("scan-start");
  var stopBtn = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var canvas = document.getElementById("scan-canvas");
  var out = document.getElementById("scan-result");
  var counter = document.getElementById("checked-count");
  var stream = null, detector = null, timer = null, busy = false;
  var last = "", lastAt = 0;

  function say(text, status) {
    out.textContent = text;
    out.className = "scan-result scan-" + (status || "info");
  }

  function submitScan(text) {
    var now = Date.now();
    if (busy || (text === last && now - lastAt < 4000)) { return Promise.resolve(null); }
    busy = true; last = text; lastAt = now;
    var body = new FormData();
    body.append("csrf_token", root.dataset.csrf);
    body.append("token", text);
    return fetch(root.dataset.endpoint, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      say(data.message, data.status);
      if (counter && typeof data.checked_in === "number") { counter.textContent = data.checked_in; }
      if (data.status === "ok" && navigator.vibrate) { navigator.vibrate(120); }
      return data;
    }).catch(function () {
      say(root.dataset.msgError, "error");
      return null;
    }).finally(function () { busy = false; });
  }
  window.lmsOutreachSubmitScan = submitScan;

  function loadDecoder() {
    if (window.jsQR) { return Promise.resolve(); }
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = root.dataset.decoder;
      s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function makeDetector() {
    if (!("BarcodeDetector" in window)) { return loadDecoder().then(function () { return null; }); }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) { return new window.BarcodeDetector({ formats: ["qr_code"] }); }
      return loadDecoder().then(function () { return null; });
    });
  }

  function readFrame() {
    if (!stream || video.readyState < 2) { return Promise.resolve(null); }
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    }
    var w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) { return Promise.resolve(null); }
    var scale = Math.min(1, 640 / Math.max(w, h));
    canvas.width = Math.round(w * scale); canvas.height = Math.round(h * scale);
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(code ? code.data : null);
  }

  function tick() {
    readFrame().then(function (text) {
      if (text) { return submitScan(text); }
      return null;
    }).catch(function () { return null; }).finally(function () {
      if (stream) { timer = window.setTimeout(tick, 250); }
    });
  }

  function stop() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true; stopBtn.hidden = true; startBtn.hidden = false;
  }

  function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(root.dataset.msgNoCamera, "error");
      return;
    }
    makeDetector().then(function (d) {
      detector = d;
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false; stopBtn.hidden = false; startBtn.hidden = true;
      return video.play();
    }).then(tick).catch(function () {
      stop();
      say(root.dataset.msgNoCamera, "error");
    });
  }

  startBtn.addEventListener("click", start);
  stopBtn.addEventListener("click", stop);
  window.addEventListener("pagehide", stop);
})();
