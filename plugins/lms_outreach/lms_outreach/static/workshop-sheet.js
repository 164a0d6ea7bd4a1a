/* The sign-in sheet's Print button (no inline script). */
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) { window.print(); }
});
