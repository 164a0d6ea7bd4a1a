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
    var high = 0, sent = 0, last = null, busy = false, again = false;

    function send(force) {
      var pct = Math.min(100, Math.floor(high));
      if (pct <= sent) return;
      if (!force && pct < sent + 5 && pct < threshold && pct < 100) return;
      if (busy) { again = true; return; }  // one report at a time; the newest follows
      busy = true;
      fetch(url, {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({percent: pct})
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        busy = false;
        if (data) {
          sent = Math.max(sent, Math.floor(data.score || 0));
          if (data.completed && status) status.textContent = status.dataset.done;
        }
        if (again && data) { again = false; send(true); }
      }).catch(function () { busy = false; });
    }
    window.addEventListener("pagehide", function () { send(true); });
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
    var provider = box.dataset.provider, heard = false, duration = 0;
    // YouTube's IFrame API takes JSON strings; Vimeo's player.js protocol takes objects.
    function post(message) {
      if (!frame.contentWindow) return;
      frame.contentWindow.postMessage(provider === "youtube" ? JSON.stringify(message) : message, origin);
    }
    function subscribe() {
      if (provider === "youtube") {
        post({event: "listening", id: box.id || "lms-video", channel: "widget"});
        post({event: "command", func: "addEventListener", args: ["onStateChange"], id: box.id || "lms-video", channel: "widget"});
      } else {
        post({method: "addEventListener", value: "timeupdate"});
        post({method: "addEventListener", value: "ended"});
      }
    }
    function ended() {
      if (last !== null && duration && duration - last < 3) high = 100;
      send(true);
    }
    function onMessage(event) {
      // Only the provider's player in this iframe may report; anything else is ignored.
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var data = event.data;
      try { if (typeof data === "string") data = JSON.parse(data); } catch (e) { return; }
      if (!data || typeof data !== "object") return;
      heard = true;
      if (provider === "youtube") {
        var info = data.info;
        if ((data.event === "infoDelivery" || data.event === "initialDelivery") && info && typeof info === "object") {
          if (typeof info.duration === "number" && info.duration > 0) duration = info.duration;
          if (typeof info.currentTime === "number") position(info.currentTime, duration);
          if (info.playerState === 0) ended();
          if (info.playerState === 2) send(true);
        } else if (data.event === "onStateChange") {
          if (info === 0) ended();
          if (info === 2) send(true);
        } else if (data.event === "onReady") {
          subscribe();
        }
      } else if (provider === "vimeo") {
        var d = data.data || {};
        if (data.event === "ready") subscribe();
        if (data.event === "timeupdate" && typeof d.seconds === "number") {
          if (typeof d.duration === "number" && d.duration > 0) duration = d.duration;
          position(d.seconds, duration);
        }
        if (data.event === "ended") ended();
      }
    }
    window.addEventListener("message", onMessage);
    // The player may not be listening yet when the frame loads: ask again until it answers.
    var tries = 0;
    function hello() {
      if (heard || tries++ > 40) return;
      subscribe();
      setTimeout(hello, 500);
    }
    frame.addEventListener("load", hello);
  }
  document.querySelectorAll("[data-lms-video]").forEach(setup);
})();
