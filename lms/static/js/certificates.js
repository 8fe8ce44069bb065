// Certificate pages: copy buttons for share links (<button data-copy="input-id">), and the
// bulk download page (#batch), which asks the server for the batch's progress until the zip
// is ready or has failed. The pages work without this file: the link can be copied by hand
// and the batch page shows the state as of its last load.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var input = document.getElementById(button.dataset.copy);
    if (!input) {
      return;
    }
    var label = button.textContent;
    function copied() {
      button.textContent = button.dataset.copied || label;
      window.setTimeout(function () {
        button.textContent = label;
      }, 2000);
    }
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(copied, function () {
        if (document.execCommand("copy")) {
          copied();
        }
      });
    } else if (document.execCommand("copy")) {
      copied();
    }
  });

  var batch = document.getElementById("batch");
  if (!batch || batch.dataset.total === "0") {
    return;
  }
  var POLL_MS = 1500;
  var url = batch.dataset.statusUrl;
  var bar = document.getElementById("batch-bar");
  var progress = document.getElementById("batch-progress");
  var count = document.getElementById("batch-count");
  var label = document.getElementById("batch-label");
  var waiting = document.getElementById("batch-waiting");
  var download = document.getElementById("batch-download");
  var error = document.getElementById("batch-error");
  var errorText = document.getElementById("batch-error-text");
  var BADGES = {
    pending: "text-bg-secondary",
    running: "text-bg-info",
    done: "text-bg-success",
    failed: "text-bg-danger",
  };

  function setWidth(percent) {
    bar.className = bar.className.replace(/\bw-\d+p\b/, "w-" + percent + "p");
    progress.setAttribute("aria-valuenow", String(percent));
  }

  function show(data) {
    var finished = data.status === "done" || data.status === "failed";
    setWidth(data.percent_class);
    count.textContent = count.dataset.format
      .replace("{done}", String(data.done))
      .replace("{total}", String(data.total));
    label.textContent = data.label;
    label.className = label.className.replace(/\btext-bg-\w+\b/, BADGES[data.status] || "text-bg-secondary");
    waiting.classList.toggle("d-none", finished);
    if (finished) {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      bar.classList.add(data.status === "done" ? "bg-success" : "bg-danger");
    }
    if (data.status === "done" && data.download_url) {
      download.href = data.download_url;
      download.classList.remove("d-none");
    }
    if (data.status === "failed") {
      errorText.textContent = data.error || "";
      error.classList.remove("d-none");
    }
    return finished;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        if (!show(data)) {
          window.setTimeout(poll, POLL_MS);
        }
      })
      .catch(function () {
        window.setTimeout(poll, POLL_MS * 4);
      });
  }

  if (batch.dataset.status !== "done" && batch.dataset.status !== "failed") {
    window.setTimeout(poll, POLL_MS);
  }
})();
