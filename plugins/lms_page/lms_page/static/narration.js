// The big Listen button of a text page's narration (lms_page): play and pause the page's
// <audio>. Hidden until this runs, so a page without JavaScript keeps the plain player.
(function () {
  "use strict";
  document.querySelectorAll(".page-narration").forEach(function (box) {
    var audio = box.querySelector("audio");
    var button = box.querySelector(".page-listen");
    if (!audio || !button) {
      return;
    }
    var text = button.querySelector(".page-listen-text");
    function sync() {
      var playing = !audio.paused && !audio.ended;
      button.classList.toggle("is-playing", playing);
      text.textContent = playing ? button.dataset.pause : button.dataset.play;
    }
    button.addEventListener("click", function () {
      if (audio.paused || audio.ended) {
        var started = audio.play();
        if (started && started.catch) {
          started.catch(function () {});
        }
      } else {
        audio.pause();
      }
    });
    ["play", "pause", "ended"].forEach(function (name) {
      audio.addEventListener(name, sync);
    });
    button.hidden = false;
    box.classList.add("has-listen");
  });
})();
