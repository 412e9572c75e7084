// API 權杖已新增: the 複製 button copies the token shown once. Without the script (or without
// clipboard access) the button stays hidden and the token is selected by hand.
(function () {
  "use strict";
  var source = document.querySelector("[data-copy-source]");
  var button = document.querySelector("[data-copy-button]");
  if (!source || !button || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(source.value).then(function () {
      button.textContent = button.getAttribute("data-copied-text");
    }, function () {
      source.select();
    });
  });
  source.addEventListener("focus", function () {
    source.select();
  });
})();
