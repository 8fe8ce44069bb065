// Live preview of lesson Markdown.
//
// <textarea data-preview-url="/manage/preview" data-preview-target="ID"
//           data-preview-error="ID">: while the author types (debounced), the text is posted
// with the form's CSRF token (X-CSRFToken header) and the server answers {"html": ...}, which
// it has rendered and sanitised (markdown-it-py + nh3); only that HTML goes into the preview.
(function () {
  "use strict";

  var DELAY_MS = 400;

  function setup(textarea) {
    var target = document.getElementById(textarea.dataset.previewTarget);
    var errorBox = document.getElementById(textarea.dataset.previewError || "");
    var url = textarea.dataset.previewUrl;
    if (!target || !url || textarea.matches(":disabled")) {
      return;
    }
    var form = textarea.form;
    var tokenInput = form ? form.querySelector('input[name="csrf_token"]') : null;
    var timer = null;
    var latest = 0;

    function showError(failed) {
      if (errorBox) {
        errorBox.classList.toggle("d-none", !failed);
      }
    }

    function update() {
      var ticket = ++latest;
      target.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": tokenInput ? tokenInput.value : "",
        },
        body: JSON.stringify({ markdown: textarea.value }),
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("preview failed: " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (ticket === latest) {
            // Safe: the server sanitised this HTML; nothing else is ever written here.
            target.innerHTML = data.html;
            showError(false);
          }
        })
        .catch(function () {
          if (ticket === latest) {
            showError(true);
          }
        })
        .then(function () {
          if (ticket === latest) {
            target.removeAttribute("aria-busy");
          }
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, DELAY_MS);
    });
  }

  document.querySelectorAll("textarea[data-preview-url]").forEach(setup);
})();
