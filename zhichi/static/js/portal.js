// The portal works without JavaScript; this only adds a print button where printing is possible.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-pt-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
