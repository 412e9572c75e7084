/* The idle-session warning of every signed-in page, in plain JavaScript (no build step).
 *
 * A session ends SESSION_IDLE_MINUTES after the last request (<body data-session-seconds>). Some
 * minutes before (data-session-warning-seconds) a dialog says so and offers 繼續使用, which posts to
 * the keep-alive address: that request starts the time again. Any request counts: the page's own,
 * a 自動儲存 (the "session:activity" event), an htmx swap, and the requests of the platform's other
 * tabs (shared through localStorage), so a teacher busy in one tab is not warned in another. */
(function () {
  "use strict";

  var body = document.body;
  var seconds = Number(body.getAttribute("data-session-seconds"));
  var dialog = document.getElementById("session-dialog");
  if (!seconds || !dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var lead = Math.min(Number(body.getAttribute("data-session-warning-seconds")) || 300, seconds);
  var url = body.getAttribute("data-keepalive-url");
  var KEY = "proteacher.session.lastRequest";
  var last = Date.now();
  var ended = false;

  var warning = dialog.querySelector("[data-session-warning]");
  var minutes = dialog.querySelector("[data-session-minutes]");
  var endedText = dialog.querySelector("[data-session-ended]");
  var keep = dialog.querySelector("[data-session-continue]");
  var login = dialog.querySelector("[data-session-login]");
  var close = dialog.querySelector("[data-session-close]");

  function shared() {
    try {
      return Number(localStorage.getItem(KEY)) || 0;
    } catch (error) {
      return 0;
    }
  }

  function touch() {
    last = Date.now();
    try {
      localStorage.setItem(KEY, String(last));
    } catch (error) {
      // Storage turned off: this tab still counts its own requests.
    }
    if (dialog.open && !ended) {
      dialog.close();
    }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : body.getAttribute("data-csrf-token") || "";
  }

  function end() {
    ended = true;
    warning.hidden = true;
    keep.hidden = true;
    endedText.hidden = false;
    login.hidden = false;
    close.hidden = false;
    if (!dialog.open) {
      dialog.showModal();
    }
    login.focus();
  }

  function warn(left) {
    minutes.textContent = String(Math.max(1, Math.ceil(left / 60000)));
    if (!dialog.open) {
      dialog.showModal();
      keep.focus();
    }
  }

  function check() {
    if (ended) {
      return;
    }
    var left = Math.max(last, shared()) + seconds * 1000 - Date.now();
    if (left <= 0) {
      end();
    } else if (left <= lead * 1000) {
      warn(left);
    } else if (dialog.open) {
      dialog.close();
    }
  }

  function keepAlive() {
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        if (response.ok) {
          touch();
        } else if (response.status === 401) {
          end();
        }
      })
      .catch(function () {
        // Offline for a moment: the dialog stays, 繼續使用 can be pressed again.
      });
  }

  keep.addEventListener("click", keepAlive);
  close.addEventListener("click", function () {
    dialog.close();
  });
  // Esc on the warning means the teacher is here: the same as 繼續使用.
  dialog.addEventListener("cancel", function (event) {
    if (!ended) {
      event.preventDefault();
      keepAlive();
    }
  });
  document.addEventListener("session:activity", touch);
  document.body.addEventListener("htmx:afterRequest", touch);
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) {
      check();
    }
  });

  touch();
  setInterval(check, Math.max(1000, Math.min(15000, (lead * 1000) / 5)));
})();
