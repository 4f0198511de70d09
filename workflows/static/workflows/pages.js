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

// A table wider than the screen scrolls sideways in its own box (on a phone): it takes the
// keyboard's focus, so the arrow keys scroll it; one that fits is no stop on the Tab key.
(function () {
  if (window.scrollingTablesFocusable) {
    return;
  }
  window.scrollingTablesFocusable = true;
  function mark() {
    var tables = document.querySelectorAll("table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      var overflow = window.getComputedStyle(table).overflowX;
      var scrolls = (overflow === "auto" || overflow === "scroll") && table.scrollWidth > table.clientWidth;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        table.dataset.scrollFocus = "1";
      } else if (!scrolls && table.dataset.scrollFocus) {
        table.removeAttribute("tabindex");
        delete table.dataset.scrollFocus;
      }
    }
  }
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("turbo:load", mark);
  document.addEventListener("turbo:render", mark);
  window.addEventListener("resize", mark);
})();
