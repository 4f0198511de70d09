// Files in place: a file dropped on an upload field's zone goes into its file input, and the
// document picker's search box hides the documents it does not match. Without this script
// the plain file input and the full list of checkboxes do the same.
(function () {
  if (window.documentFilesReady) {
    return;
  }
  window.documentFilesReady = true;

  function fold(text) {
    // Typed without diacritics: "zgjedhje" finds "zgjëdhje", "c" finds "č" and "ç".
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function dropZone(zone) {
    var input = zone.querySelector("input[type=file]");
    var name = zone.querySelector(".drop-zone__name");
    if (!input || zone.dataset.ready) {
      return;
    }
    zone.dataset.ready = "1";
    function show() {
      name.textContent = input.files.length ? input.files[0].name : "";
    }
    input.addEventListener("change", show);
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("drop-zone--over");
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("drop-zone--over");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("drop-zone--over");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
  }

  function picker(box) {
    var label = box.querySelector(".document-picker__search");
    var search = box.querySelector("[data-picker-search]");
    var none = box.querySelector("[data-picker-none]");
    if (!search || box.dataset.ready) {
      return;
    }
    box.dataset.ready = "1";
    label.hidden = false;
    var items = box.querySelectorAll(".document-picker__item");
    search.addEventListener("input", function () {
      var words = fold(search.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      for (var i = 0; i < items.length; i++) {
        var text = fold(items[i].textContent);
        var checked = items[i].querySelector("input:checked");
        var match = checked || words.every(function (word) { return text.indexOf(word) >= 0; });
        items[i].hidden = !match;
        shown += match ? 1 : 0;
      }
      none.hidden = shown > 0;
    });
    // Enter in the search box filters; it does not send the form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  }

  function ready() {
    document.querySelectorAll("[data-drop-zone]").forEach(dropZone);
    document.querySelectorAll("[data-document-picker]").forEach(picker);
  }
  document.addEventListener("DOMContentLoaded", ready);
  document.addEventListener("turbo:load", ready);
  document.addEventListener("turbo:render", ready);
  ready();
})();
