// 發證作業: 全選 ticks or clears every box of its own table; without scripts each box is ticked by hand.
(function () {
  "use strict";

  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    box.hidden = false;
    box.addEventListener("change", function () {
      var table = document.getElementById(box.getAttribute("data-check-all"));
      table.querySelectorAll("input[name=case]").forEach(function (one) {
        one.checked = box.checked;
      });
    });
  });
})();
