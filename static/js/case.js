// 流程進度: 新增 stays greyed until a template is chosen; on a filled slot, choosing another
// template swaps 編輯 for 新增 (its form opens; the saved answer stays until the new one is saved).
// 刪除 of a set-aside answer asks first, in a dialog.
(function () {
  "use strict";

  function refresh(form) {
    var select = form.querySelector("select[name=template]");
    var add = form.querySelector("[data-add]");
    var edit = form.querySelector("[data-edit]");
    var saved = select.getAttribute("data-saved") || "";
    var chosen = select.value !== "" && select.value !== saved;
    add.disabled = !chosen;
    add.classList.toggle("btn-success", chosen);
    add.classList.toggle("btn-secondary", !chosen);
    if (edit) {
      edit.hidden = chosen;
      add.hidden = !chosen;
    }
  }

  document.querySelectorAll("[data-slot-form]").forEach(function (form) {
    var select = form.querySelector("select[name=template]");
    select.addEventListener("change", function () { refresh(form); });
    refresh(form);  // a back button may restore a chosen option
  });

  // The state's action (送出審查文件): one click sends once.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var dialog = event.detail.target.querySelector("dialog");
    if (!dialog) { return; }
    dialog.showModal();
    var cancel = dialog.querySelector("[data-close-dialog]");
    if (cancel) {
      cancel.addEventListener("click", function (click) {
        click.preventDefault();
        dialog.close();
      });
    }
    dialog.addEventListener("close", function () {
      // Cancelled: put the drop-downs back to the saved templates.
      document.querySelectorAll("[data-slot-form]").forEach(function (form) {
        var select = form.querySelector("select[name=template]");
        var saved = select.getAttribute("data-saved");
        if (saved) { select.value = saved; }
        refresh(form);
      });
      dialog.remove();
    });
  });
})();
