// 縣市與管理者登入 on the left puts the cursor straight into the 帳號 field on the right.
(function () {
  "use strict";

  var link = document.getElementById("go-staff-login");
  var field = link && document.getElementById(link.getAttribute("data-focus"));
  if (!field) {
    return;
  }
  link.addEventListener("click", function (event) {
    event.preventDefault();
    field.focus();
    if (history.replaceState) {
      history.replaceState(null, "", "#staff-login");
    }
  });
  if (location.hash === "#staff-login") {
    field.focus();
  }
})();
