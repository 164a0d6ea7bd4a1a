/* Reports how far a learner watched a video: the furthest point reached by playing (not by
 * jumping ahead). HTML5 <video> uses timeupdate; YouTube and Vimeo embeds use their players'
 * postMessage events (no script is loaded from the providers). The server keeps the maximum. */
(function () {
  "use strict";
  function setup(box) {
    if (box.dataset.report !== "1") return;
    var url = box.dataset.progressUrl, token = box.dataset.csrf;
    var threshold = parseFloat(box.dataset.threshold) || 90;
    var status = box.querySelector(".video-status");
    var high = 0, sent = 0, last = null, busy = false;

    function send(force) {
      var pct = Math.min(100, Math.floor(high));
      if (busy || pct <= sent) return;
      if (!force && pct < sent + 5 && pct < threshold && pct < 100) return;
      busy = true;
      fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({percent: pct})
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        busy = false;
        if (!data) return;
        sent = Math.max(sent, Math.floor(data.score || 0));
        if (data.completed && status) status.textContent = status.dataset.done;
      }).catch(function () { busy = false; });
    }
    function position(seconds, duration) {
      if (!duration || !isFinite(duration)) return;
      // Count playing, not seeking: only small steps forward move the mark.
      if (last !== null && seconds - last > 0 && seconds - last < 3) {
        high = Math.max(high, 100 * seconds / duration);
      }
      if (seconds >= duration - 0.5 && last !== null && duration - last < 3) high = 100;
      last = seconds;
      send(false);
    }

    var video = box.querySelector("video");
    if (video) {
      video.addEventListener("timeupdate", function () { position(video.currentTime, video.duration); });
      video.addEventListener("ended", function () { position(video.duration, video.duration); send(true); });
      video.addEventListener("pause", function () { send(true); });
      return;
    }
    var frame = box.querySelector("iframe"), origin = box.dataset.playerOrigin;
    if (!frame || !origin) return;
    var provider = box.dataset.provider;
    function post(message) { frame.contentWindow.postMessage(JSON.stringify(message), origin); }
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var data;
      try { data = typeof event.data === "string" ? JSON.parse(event.data) : event.data; } catch (e) { return; }
      if (!data) return;
      if (provider === "youtube" && data.event === "infoDelivery" && data.info) {
        if (typeof data.info.currentTime === "number") position(data.info.currentTime, data.info.duration || box._duration);
        if (data.info.duration) box._duration = data.info.duration;
        if (data.info.playerState === 0) { high = Math.max(high, last && box._duration && box._duration - last < 3 ? 100 : high); send(true); }
      } else if (provider === "vimeo") {
        if (data.event === "ready") { post({method: "addEventListener", value: "timeupdate"}); post({method: "addEventListener", value: "ended"}); }
        if (data.event === "timeupdate" && data.data) position(data.data.seconds, data.data.duration);
        if (data.event === "ended") send(true);
      }
    });
    frame.addEventListener("load", function () {
      if (provider === "youtube") post({event: "listening", id: 1, channel: "widget"});
      else { post({method: "addEventListener", value: "timeupdate"}); post({method: "addEventListener", value: "ended"}); }
    });
  }
  document.querySelectorAll("[data-lms-video]").forEach(setup);
})();
