// The answering page (templates/assessments/attempt.html): autosave, the countdown, the
// ordering widget's buttons and the list of unanswered questions. The page works without
// this file: the form posts every answer to /save or /submit.
(function () {
  "use strict";

  var form = document.getElementById("attempt-form");
  if (!form) {
    return;
  }
  form.classList.add("js-enabled");

  var DEBOUNCE_MS = 800;
  var RETRY_MS = [1000, 2000, 5000, 10000, 20000];
  var attemptId = form.dataset.attempt;
  var saveUrl = form.dataset.saveUrl.replace(/\/0$/, "/");
  var csrfInput = form.querySelector('input[name="csrf_token"]');
  var csrfToken = csrfInput ? csrfInput.value : "";
  var leaving = false;

  function selectorFor(name) {
    return '[name="' + (window.CSS && CSS.escape ? CSS.escape(name) : name) + '"]';
  }

  // --- a question's response, built as the server builds it from the posted form ---------

  function collect(scope, type, name) {
    var fields = scope.querySelectorAll(selectorFor(name));
    var i;
    switch (type) {
      case "single_choice":
      case "true_false":
        for (i = 0; i < fields.length; i++) {
          if (fields[i].checked) {
            return type === "true_false" ? fields[i].value === "true" : fields[i].value;
          }
        }
        return null;
      case "multiple_choice":
        var chosen = [];
        for (i = 0; i < fields.length; i++) {
          if (fields[i].checked) {
            chosen.push(fields[i].value);
          }
        }
        return chosen.length ? chosen : null;
      case "short_answer":
      case "numerical":
      case "essay":
        return fields.length && fields[0].value !== "" ? fields[0].value : null;
      case "matching":
        var pairs = {};
        scope.querySelectorAll("select[data-prompt]").forEach(function (select) {
          if (select.name.indexOf(name + ".") === 0 && select.value !== "") {
            pairs[select.dataset.prompt] = select.value;
          }
        });
        return pairs;
      case "ordering":
        var list = scope.querySelector("[data-ordering]");
        if (!list) {
          return null;
        }
        return Array.prototype.map.call(list.querySelectorAll(".ordering-item"), function (li) {
          return li.dataset.id;
        });
      case "scenario":
        var parts = {};
        scope.querySelectorAll(".scenario-part").forEach(function (part) {
          parts[part.dataset.part] = collect(part, part.dataset.type, name + "." + part.dataset.part);
        });
        return parts;
      default:
        return null;
    }
  }

  function hasContent(value) {
    if (value === null || value === undefined) {
      return false;
    }
    if (Array.isArray(value)) {
      return value.length > 0;
    }
    if (typeof value === "object") {
      return Object.keys(value).some(function (key) {
        return hasContent(value[key]);
      });
    }
    if (typeof value === "string") {
      return value.trim() !== "";
    }
    return true;
  }

  // --- the unanswered list and the submit confirmation -------------------------------------

  var questions = Array.prototype.slice.call(form.querySelectorAll("section.question"));
  var unansweredNote = document.getElementById("unanswered");
  var submitButton = document.getElementById("submit-attempt");

  function refreshUnanswered() {
    var missing = [];
    questions.forEach(function (section) {
      // an ordering always has an order: it counts once saved or moved
      var answered =
        section.dataset.type === "ordering"
          ? section.dataset.answered === "1"
          : hasContent(responseOf(section));
      if (section.dataset.number && !answered) {
        missing.push(section.dataset.number);
      }
    });
    var list = missing.join(", ");
    if (unansweredNote) {
      unansweredNote.textContent = missing.length
        ? unansweredNote.dataset.some.replace("__LIST__", list)
        : unansweredNote.dataset.none;
    }
    if (submitButton) {
      submitButton.dataset.confirm = missing.length
        ? submitButton.dataset.confirmSome.replace("__LIST__", list)
        : submitButton.dataset.confirmAll;
    }
  }

  function responseOf(section) {
    return collect(section, section.dataset.type, "q" + section.dataset.slot);
  }

  // --- autosave ------------------------------------------------------------------------------

  function storageKey(slot) {
    return "attempt-sequence:" + attemptId + ":" + slot;
  }

  function storedSequence(slot) {
    try {
      return parseInt(window.sessionStorage.getItem(storageKey(slot)), 10) || 0;
    } catch (e) {
      return 0;
    }
  }

  function storeSequence(slot, value) {
    try {
      window.sessionStorage.setItem(storageKey(slot), String(value));
    } catch (e) {
      // private browsing: the counter lives in the page only
    }
  }

  function Saver(section) {
    this.section = section;
    this.slot = section.dataset.slot;
    this.sequence = Math.max(parseInt(section.dataset.sequence, 10) || 0, storedSequence(this.slot));
    this.timer = null;
    this.busy = false;
    this.again = false;
    this.failures = 0;
    this.status = section.querySelector(".save-status");
  }

  Saver.prototype.show = function (text, kind) {
    if (!this.status) {
      return;
    }
    this.status.textContent = text;
    this.status.classList.toggle("is-saved", kind === "saved");
    this.status.classList.toggle("is-failed", kind === "failed");
  };

  Saver.prototype.changed = function () {
    var self = this;
    this.section.dataset.answered = "1";
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.timer = null;
      self.send(false);
    }, DEBOUNCE_MS);
    refreshUnanswered();
  };

  Saver.prototype.pending = function () {
    return this.timer !== null || this.again;
  };

  Saver.prototype.send = function (keepalive) {
    var self = this;
    if (this.busy && !keepalive) {
      this.again = true;
      return;
    }
    window.clearTimeout(this.timer);
    this.timer = null;
    this.again = false;
    this.busy = true;
    this.sequence += 1;
    storeSequence(this.slot, this.sequence);
    var sent = this.sequence;
    this.show(form.dataset.msgSaving, "saving");
    fetch(saveUrl + this.slot, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken,
      },
      body: JSON.stringify({ response: responseOf(this.section), sequence: sent }),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            self.answered(response.status, body);
          });
      })
      .catch(function () {
        self.retry();
      });
  };

  Saver.prototype.answered = function (status, body) {
    var error = (body && body.error) || {};
    this.busy = false;
    if (status === 200 || (status === 409 && error.code === "stale")) {
      // stale: a newer answer is on the server already (another tab, or the posted form)
      if (error.saved_sequence && error.saved_sequence > this.sequence) {
        this.sequence = error.saved_sequence;
        storeSequence(this.slot, this.sequence);
      }
      this.failures = 0;
      this.show(form.dataset.msgSaved, "saved");
      if (this.again) {
        this.send(false);
      }
      return;
    }
    if (status >= 500 || status === 429) {
      this.retry();
      return;
    }
    // refused for good: finished, time is up, invalid answer, expired form
    this.again = false;
    this.show(form.dataset.msgFailed + (error.message ? " — " + error.message : ""), "failed");
    if (status === 409 && error.code === "finished") {
      window.location.reload(); // the page then shows the review
    }
  };

  Saver.prototype.retry = function () {
    var self = this;
    this.busy = false;
    this.show(form.dataset.msgRetrying, "failed");
    if (leaving) {
      return;
    }
    var wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
    this.failures += 1;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.timer = null;
      self.send(false);
    }, wait);
  };

  var savers = {};
  questions.forEach(function (section) {
    if (section.dataset.number) {
      savers[section.dataset.slot] = new Saver(section);
    }
  });

  function saverFor(element) {
    var section = element.closest("section.question");
    return section ? savers[section.dataset.slot] : null;
  }

  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("ordering-position")) {
      return; // reordered on change, below
    }
    var saver = saverFor(event.target);
    if (saver) {
      saver.changed();
    }
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList.contains("ordering-position")) {
      sortByPositions(target.closest("[data-ordering]"));
    }
    var saver = saverFor(target);
    if (saver) {
      saver.changed();
    }
  });

  // Leaving the page with answers not yet sent: send them now (the form itself, when it is
  // being submitted, carries every answer and needs no help).
  form.addEventListener("submit", function () {
    leaving = true;
    Object.keys(savers).forEach(function (slot) {
      window.clearTimeout(savers[slot].timer);
      savers[slot].timer = null;
    });
  });
  window.addEventListener("pagehide", function () {
    if (leaving) {
      return;
    }
    leaving = true;
    Object.keys(savers).forEach(function (slot) {
      if (savers[slot].pending()) {
        savers[slot].send(true);
      }
    });
  });

  // --- ordering: up and down buttons; typed positions reorder on change ------------------

  function renumber(list) {
    list.querySelectorAll(".ordering-item").forEach(function (li, index) {
      li.querySelector(".ordering-position").value = index + 1;
    });
  }

  function sortByPositions(list) {
    if (!list) {
      return;
    }
    var items = Array.prototype.slice.call(list.querySelectorAll(".ordering-item"));
    var keyed = items.map(function (li, index) {
      var value = parseInt(li.querySelector(".ordering-position").value, 10);
      return { li: li, key: isNaN(value) ? Infinity : value, index: index };
    });
    keyed.sort(function (a, b) {
      return a.key - b.key || a.index - b.index;
    });
    keyed.forEach(function (entry) {
      list.appendChild(entry.li);
    });
    renumber(list);
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-move]");
    if (!button) {
      return;
    }
    var li = button.closest(".ordering-item");
    var list = li.parentNode;
    if (button.dataset.move === "up" && li.previousElementSibling) {
      list.insertBefore(li, li.previousElementSibling);
    } else if (button.dataset.move === "down" && li.nextElementSibling) {
      list.insertBefore(li.nextElementSibling, li);
    } else {
      return;
    }
    renumber(list);
    button.focus();
    var saver = saverFor(li);
    if (saver) {
      saver.changed();
    }
  });

  // --- the countdown: the server says how many seconds are left; at zero, submit ------------

  var countdown = document.getElementById("attempt-countdown");
  if (countdown) {
    var remaining = parseInt(countdown.dataset.remaining, 10);
    var endsAt = Date.now() + remaining * 1000;
    var timerBox = countdown.closest(".attempt-timer");
    var submitted = false;

    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      var seconds = left % 60;
      countdown.textContent = (hours ? hours + ":" + pad(minutes) : minutes) + ":" + pad(seconds);
      if (timerBox) {
        timerBox.classList.toggle("is-urgent", left < 60);
      }
      if (left === 0 && !submitted) {
        submitted = true;
        leaving = true;
        form.submit(); // no confirmation: time is up
        return;
      }
      if (left > 0) {
        window.setTimeout(tick, 250);
      }
    };
    tick();
  }

  refreshUnanswered();
})();
