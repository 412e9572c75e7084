/* 自動儲存 of an online form, in plain JavaScript (no build step).
 *
 * The whole form is posted to its draft address (data-autosave-url) 2 s after the last change, as
 * soon as the focus leaves the changed form, and when the page is hidden or left (fetch keepalive). The
 * server keeps it as the form's draft; 儲存 still saves, checks and reports as before. The answer
 * is shown beside 儲存 ("已自動儲存 hh:mm"), or, when the server could not take the draft, in a
 * banner, and the text always stays on the page. While the server does not have the latest text a
 * copy is kept in this browser (localStorage), offered back when the form is opened again. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave-url]");
  var banner = document.querySelector("[data-autosave-alert]");
  if (!form || !banner || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var status = document.querySelector("[data-autosave-status]");
  var backupNotice = document.querySelector("[data-backup-notice]");
  var templateInput = form.querySelector("input[name=template]");
  var backupKey = "proteacher.form:" + location.pathname + "?" + (templateInput ? templateInput.value : "");
  var DELAY = 2000;
  // fetch keepalive refuses bodies over 64 KB; a bigger form is sent as an ordinary request.
  var KEEPALIVE_LIMIT = 60000;
  var NOT_SENT = "無法自動儲存，內容仍在此頁，請稍後按「儲存」。";

  var timer = null;
  var changes = 0; // changes made on the page
  var kept = 0; // changes the server has
  var inFlight = null;
  var stopped = false; // the form cannot be edited any more (sent, not found)
  var submitting = false;
  var heldSubmit = null;

  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // A sign-in in another tab gives the browser a new CSRF token; the form posts the current one.
  function refreshToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    var token = csrfCookie();
    if (input && token) {
      input.value = token;
    }
  }

  function fields() {
    refreshToken();
    var data = new URLSearchParams(new FormData(form));
    data.delete("action");
    return data;
  }

  // What the teacher typed, for comparing a kept copy with the page: values in order, blanks left out.
  function typed(pairs) {
    return pairs
      .filter(function (pair) {
        return ["csrfmiddlewaretoken", "template", "revision", "action"].indexOf(pair[0]) < 0;
      })
      .map(function (pair) {
        return String(pair[1]).trim();
      })
      .filter(function (value) {
        return value !== "";
      })
      .join("\u0000");
  }

  function entries(data) {
    var pairs = [];
    data.forEach(function (value, name) {
      pairs.push([name, value]);
    });
    return pairs;
  }

  function hhmm(time) {
    return new Date(time).toLocaleTimeString("zh-TW", {
      timeZone: "Asia/Taipei",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    });
  }

  function backUp(data) {
    try {
      var pairs = entries(data).filter(function (pair) {
        return pair[0] !== "csrfmiddlewaretoken";
      });
      localStorage.setItem(backupKey, JSON.stringify({ at: Date.now(), fields: pairs }));
    } catch (error) {
      // Storage full or turned off: the server and the page still have the text.
    }
  }

  function readBackup() {
    try {
      return JSON.parse(localStorage.getItem(backupKey) || "null");
    } catch (error) {
      return null;
    }
  }

  function dropBackup() {
    try {
      localStorage.removeItem(backupKey);
    } catch (error) {
      // nothing kept
    }
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function warn(message, link) {
    banner.textContent = message;
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      banner.appendChild(document.createTextNode(" "));
      banner.appendChild(anchor);
    }
    banner.hidden = false;
  }

  function activity() {
    document.dispatchEvent(new CustomEvent("session:activity"));
  }

  function answered(code, answer, sent) {
    var state = answer && answer.status;
    if (code !== 401 && answer) {
      activity();
    }
    if (code === 200 && state === "saved") {
      kept = Math.max(kept, sent);
      say("已自動儲存 " + answer.saved_at);
      if (kept === changes) {
        dropBackup();
        form.dispatchEvent(new CustomEvent("autosave:kept"));
      }
      if (banner && banner.getAttribute("data-kind") !== "stale") {
        banner.hidden = true;
      }
      return;
    }
    if (code === 200 && state === "stale") {
      // Another tab saved this form since the page was opened: nothing here overwrites that; the
      // text stays on the page (and in this browser) to be copied.
      kept = Math.max(kept, sent);
      say("");
      warn(answer.message);
      banner.setAttribute("data-kind", "stale");
      return;
    }
    if (code === 401 && state === "signed_out") {
      // Kept for after signing in (the server put it in the new session); the page keeps it too.
      kept = Math.max(kept, sent);
      if (kept === changes) {
        form.dispatchEvent(new CustomEvent("autosave:kept"));
      }
      say("");
      warn(answer.message, { href: answer.login_url, text: "重新登入" });
      return;
    }
    if (answer && answer.message && (code === 403 || code === 404 || code === 409)) {
      stopped = true;
      say("");
      warn(answer.message);
      return;
    }
    say(NOT_SENT);
  }

  function send(leaving) {
    clearTimeout(timer);
    timer = null;
    if (stopped || submitting || kept === changes) {
      return inFlight;
    }
    if (inFlight && !leaving) {
      // One at a time: the next one leaves when this one is answered.
      return inFlight.then(function () {
        return send(false);
      });
    }
    var data = fields();
    var sent = changes;
    backUp(data);
    var body = data.toString();
    var options = {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    };
    if (leaving && new Blob([body]).size < KEEPALIVE_LIMIT) {
      options.keepalive = true;
    }
    var request = fetch(url, options)
      .then(function (response) {
        return response.json().then(
          function (answer) {
            answered(response.status, answer, sent);
          },
          function () {
            answered(response.status, null, sent);
          }
        );
      })
      .catch(function () {
        say(NOT_SENT);
      })
      .then(function () {
        if (inFlight === request) {
          inFlight = null;
        }
        if (heldSubmit) {
          var submitter = heldSubmit;
          heldSubmit = null;
          submitNow(submitter);
        }
      });
    inFlight = request;
    return request;
  }

  function changed() {
    changes += 1;
    clearTimeout(timer);
    timer = setTimeout(function () {
      send(false);
    }, DELAY);
  }

  function submitNow(submitter) {
    submitting = true;
    if (form.requestSubmit) {
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    } else {
      form.submit();
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // 新增 / 刪除 of rows, the Flanders keypad and the movement chart change the form without typing.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[type=button]");
    if (button && form.contains(button)) {
      changed();
    }
  });
  // Leaving the form (not moving between its fields, nor pressing 儲存, which takes the text itself).
  form.addEventListener("focusout", function (event) {
    if (kept !== changes && !(event.relatedTarget && form.contains(event.relatedTarget))) {
      send(false);
    }
  });
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (inFlight && !submitting) {
      // 儲存 waits for a draft on its way, so the draft never arrives after the save.
      event.preventDefault();
      heldSubmit = event.submitter || null;
      return;
    }
    submitting = true;
    refreshToken();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      send(true);
    } else if (kept !== changes) {
      send(false);
    }
  });
  window.addEventListener("pagehide", function () {
    send(true);
  });
  // Back from the browser's page cache (back button): the page may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      submitting = false;
    }
  });

  // A copy this browser kept while the server could not take it, and the page does not show.
  var backup = readBackup();
  if (backup && backupNotice) {
    if (typed(backup.fields) === typed(entries(fields()))) {
      dropBackup();
    } else {
      backupNotice.querySelector("[data-backup-time]").textContent = hhmm(backup.at);
      backupNotice.hidden = false;
      backupNotice.querySelector("[data-backup-restore]").addEventListener("click", function (event) {
        event.stopPropagation();
        var data = new URLSearchParams(backup.fields);
        data.set("csrfmiddlewaretoken", fields().get("csrfmiddlewaretoken") || "");
        fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.json().then(function (answer) {
              if (response.ok) {
                // The server has it as the form's draft: open the form again to show it.
                dropBackup();
                submitting = true;
                location.reload();
              } else {
                answered(response.status, answer, changes);
              }
            });
          })
          .catch(function () {
            say(NOT_SENT);
          });
      });
      backupNotice.querySelector("[data-backup-discard]").addEventListener("click", function (event) {
        event.stopPropagation();
        dropBackup();
        backupNotice.hidden = true;
      });
    }
  }
})();
