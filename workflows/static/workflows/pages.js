// Material icons are ligatures: a screen reader would read each one's name aloud
// ("arrow_drop_down"). Every icon that is not itself a labelled control is decoration next to
// its words, so it is hidden from screen readers, on every page Turbo loads.
(function () {
  if (window.decorativeIconsHidden) {
    return;
  }
  window.decorativeIconsHidden = true;
  function hide() {
    var icons = document.querySelectorAll(".material-icons:not([aria-hidden]):not([aria-label])");
    for (var i = 0; i < icons.length; i++) {
      var icon = icons[i];
      if (icon.matches("button, a, [role=button]")) {
        continue; // a control named only by its icon keeps its name
      }
      icon.setAttribute("aria-hidden", "true");
    }
  }
  document.addEventListener("DOMContentLoaded", hide);
  document.addEventListener("turbo:load", hide);
  document.addEventListener("turbo:render", hide);
})();
