/* The online forms' small dynamic parts, in plain JavaScript (no build step):
 * 新增 / 刪除 of repeating rows, the Flanders keypad, the teacher-movement chart,
 * the print button, and a warning before leaving a form with changes the server does not have. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-online-form]");
  var dirty = false;

  function markDirty() {
    dirty = true;
  }

  // Row numbers live in the accessible names ("時間（第 2 列）"); keep them right after a change.
  function renumber(body) {
    var rows = body.querySelectorAll("tr[data-row]");
    Array.prototype.forEach.call(rows, function (row, index) {
      Array.prototype.forEach.call(row.querySelectorAll("[aria-label]"), function (element) {
        var name = element.getAttribute("aria-label");
        element.setAttribute("aria-label", name.replace(/第 (\d+|__number__) 列/, "第 " + (index + 1) + " 列"));
      });
    });
  }

  function isEmptyRow(row) {
    return Array.prototype.every.call(row.querySelectorAll("input, textarea, select"), function (input) {
      return !input.value;
    });
  }

  function addRow(id) {
    var template = document.getElementById(id + "-template");
    var body = document.getElementById(id + "-rows");
    if (!template || !body) {
      return null;
    }
    var index = Number(body.getAttribute("data-next-index")) || 0;
    // The server numbers rows from 0; a gap left by 刪除 is fine, a repeated number is not.
    while (body.querySelector("[name^='" + id.slice(2) + "-" + index + "-']")) {
      index += 1;
    }
    body.setAttribute("data-next-index", String(index + 1));
    body.insertAdjacentHTML("beforeend", template.innerHTML.split("__index__").join(String(index)));
    var row = body.lastElementChild;
    renumber(body);
    markDirty();
    return row;
  }

  function removeRow(button) {
    var row = button.closest("tr[data-row]");
    var body = row.parentNode;
    if (body.querySelectorAll("tr[data-row]").length > 1) {
      row.parentNode.removeChild(row);
    } else {
      Array.prototype.forEach.call(row.querySelectorAll("input, textarea, select"), function (input) {
        input.value = "";
      });
    }
    renumber(body);
    markDirty();
  }

  function codesOf(textarea) {
    return textarea.value.split(/[\s,，、;；]+/).filter(function (token) {
      return token !== "";
    });
  }

  function showCount(textarea) {
    var counter = document.querySelector("[data-flanders-count='" + textarea.id + "']");
    if (counter) {
      counter.textContent = String(codesOf(textarea).length);
    }
  }

  function now() {
    var date = new Date();
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // A click on a seat or an area of the movement chart adds a stop to the path.
  function visit(button) {
    var id = button.getAttribute("data-path");
    var body = document.getElementById(id + "-rows");
    if (!body) {
      return;
    }
    var rows = body.querySelectorAll("tr[data-row]");
    var last = rows[rows.length - 1];
    var row = last && isEmptyRow(last) ? last : addRow(id);
    if (!row) {
      return;
    }
    var time = row.querySelector("input[name$='-time']");
    var position = row.querySelector("input[name$='-position']");
    if (time && !time.value) {
      time.value = now();
    }
    if (position) {
      position.value = button.getAttribute("data-visit");
    }
    markDirty();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) {
      return;
    }
    if (target.hasAttribute("data-add-row")) {
      var row = addRow(target.getAttribute("data-add-row"));
      var first = row && row.querySelector("input, textarea, select");
      if (first) {
        first.focus();
      }
    } else if (target.hasAttribute("data-remove-row")) {
      removeRow(target);
    } else if (target.hasAttribute("data-flanders-code")) {
      var codes = document.getElementById(target.getAttribute("data-target"));
      var text = codes.value.replace(/\s+$/, "");
      codes.value = (text ? text + " " : "") + target.getAttribute("data-flanders-code");
      showCount(codes);
      markDirty();
    } else if (target.hasAttribute("data-flanders-undo")) {
      var area = document.getElementById(target.getAttribute("data-flanders-undo"));
      var kept = codesOf(area);
      kept.pop();
      area.value = kept.join(" ");
      showCount(area);
      markDirty();
    } else if (target.hasAttribute("data-visit")) {
      visit(target);
    } else if (target.hasAttribute("data-print")) {
      window.print();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("flanders-codes")) {
      showCount(event.target);
    }
  });

  if (form) {
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    form.addEventListener("submit", function () {
      dirty = false;
    });
    // What 自動儲存 has handed to the server is not lost by leaving (autosave.js).
    form.addEventListener("autosave:kept", function () {
      dirty = false;
    });
    // 取消 and any other way out keep the saved answer; the browser asks before unsaved typing is lost.
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
})();
