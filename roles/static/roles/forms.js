// Behaviour the pages' forms ask for with data attributes instead of inline handlers, which the
// Content-Security-Policy refuses (it allows no inline script without the page's nonce):
//   <form data-confirm="question">   sent only once the question is answered yes;
//   <select data-submit-on-change>   sends its form as soon as another option is chosen.
// Listening on the document (before Turbo, in the capture phase), so it serves every page Turbo
// loads, once.
(function () {
  if (window.pageFormsInstalled) {
    return;
  }
  window.pageFormsInstalled = true;
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target.closest ? event.target.closest("form[data-confirm]") : null;
      if (form && !window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
})();
