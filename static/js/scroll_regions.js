// A table wider than a phone scrolls inside its .table-responsive box. Someone on a keyboard must
// be able to reach that box to scroll it, and a screen reader must say what it holds: each box
// becomes a focusable region named by its table's caption, or else by the heading before it.
(function () {
  "use strict";
  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var table = box.querySelector("table[aria-label]");
    if (table) return table.getAttribute("aria-label");
    var node = box;
    while (node) {
      var before = node.previousElementSibling;
      while (before) {
        if (/^H[1-6]$/.test(before.tagName)) return before.textContent.trim();
        var inner = before.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) return inner[inner.length - 1].textContent.trim();
        before = before.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    if (!box.hasAttribute("role")) box.setAttribute("role", "region");
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      box.setAttribute("aria-label", nameOf(box) + "（表格，可左右捲動）");
    }
  });
})();
