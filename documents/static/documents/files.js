// Files in place: a file dropped on an upload field's zone goes into its file input, and the
// document picker's search box asks the server for every document the official may attach
// that the typed words find (`data-picker-source`), keeping those chosen; should the server
// not answer, it filters the documents the page lists and shows the field for registration
// numbers again. Without this script the plain file input, the list of the newest documents'
// checkboxes and that field (any attachable document by its number) do the same.
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

  function filterListed(items, words) {
    // The documents on the page that hold every word (those chosen stay shown).
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var text = fold(items[i].textContent);
      var checked = items[i].querySelector("input:checked");
      var match = checked || words.every(function (word) { return text.indexOf(word) >= 0; });
      items[i].hidden = !match;
      shown += match ? 1 : 0;
    }
    return shown;
  }

  function picker(box) {
    var label = box.querySelector(".document-picker__search");
    var search = box.querySelector("[data-picker-search]");
    var none = box.querySelector("[data-picker-none]");
    var status = box.querySelector("[data-picker-status]");
    var list = box.querySelector(".document-picker__list");
    if (!search || box.dataset.ready) {
      return;
    }
    box.dataset.ready = "1";
    label.hidden = false;
    // The registration numbers' field is the way without the script: hidden while the search
    // answers (unless it holds what was typed before), shown again should it not.
    var numbers = box.querySelector("[data-picker-numbers]");
    var numbersInput = numbers && numbers.querySelector("input");
    if (numbers && !(numbersInput && numbersInput.value)) {
      numbers.hidden = true;
    }
    var source = box.dataset.pickerSource;
    var asked = 0;
    var timer = null;
    var original = Array.prototype.slice.call(list.querySelectorAll(".document-picker__item"));

    function items() {
      return list.querySelectorAll(".document-picker__item");
    }

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function text(name, count) {
      return (box.dataset[name] || "").replace("{count}", count);
    }

    function localSearch(words) {
      var shown = filterListed(items(), words);
      none.hidden = shown > 0;
    }

    function added(id, labelText) {
      // A document the server found that the page did not list: a checkbox like the others,
      // sent with the form under the field's name.
      var item = document.createElement("div");
      item.className = "document-picker__item";
      item.dataset.found = "1";
      var row = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = box.dataset.pickerName;
      input.value = String(id);
      input.id = (list.id || "document-picker") + "_found_" + id;
      row.htmlFor = input.id;
      row.appendChild(input);
      row.appendChild(document.createTextNode(" " + labelText));
      item.appendChild(row);
      list.appendChild(item);
      return item;
    }

    function showFound(answer) {
      var wanted = {};
      answer.results.forEach(function (found) { wanted[String(found.id)] = found; });
      var listed = {};
      items().forEach(function (item) {
        var input = item.querySelector("input[type=checkbox]");
        var chosen = input && input.checked;
        if (input) {
          listed[input.value] = item;
        }
        if (item.dataset.found && !chosen && !wanted[input.value]) {
          item.remove(); // found by an earlier search, not chosen: gone with it
          delete listed[input.value];
          return;
        }
        item.hidden = !(chosen || (input && wanted[input.value]));
      });
      // In the server's order, the newest first.
      answer.results.forEach(function (found) {
        list.appendChild(listed[String(found.id)] || added(found.id, found.label));
      });
      none.hidden = true;
      var count = answer.results.length;
      say(count === 0 ? text("textNone") : text(answer.more ? "textMore" : "textFound", count));
    }

    function everyListed() {
      original.forEach(function (item) { list.appendChild(item); });
      items().forEach(function (item) {
        var input = item.querySelector("input[type=checkbox]");
        if (item.dataset.found && !(input && input.checked)) {
          item.remove();
        } else {
          item.hidden = false;
        }
      });
      none.hidden = true;
      say("");
    }

    function ask() {
      var typed = search.value.trim();
      var words = fold(typed).split(/\s+/).filter(Boolean);
      if (!words.length) {
        asked += 1; // an answer still on its way is no longer wanted
        everyListed();
        return;
      }
      if (!source || !window.fetch) {
        localSearch(words);
        return;
      }
      var number = ++asked;
      var address = source + (source.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(typed);
      fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (answer) {
          if (number === asked) {
            showFound(answer);
          }
        })
        .catch(function () {
          if (number === asked) {
            localSearch(words);
            say(text("textFailed"));
            if (numbers) {
              numbers.hidden = false;
            }
          }
        });
    }

    search.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, source ? 250 : 0);
    });
    // Enter in the search box searches at once; it does not send the form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        window.clearTimeout(timer);
        ask();
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
