// 縣市與管理者登入 on the left puts the cursor straight into the 帳號 field on the right.
(function () {
  "use strict";

  var link = document.getElementById("go-staff-login");
  var field = link && document.getElementById(link.getAttribute("data-focus"));
  var section = document.getElementById("staff-login");
  if (!field) {
    return;
  }
  // A click before this file arrived (it is loaded after the page) followed the link itself: the
  // browser then focuses the section, possibly only once the page has loaded, after the check at the
  // end. That focus is passed on to the field, once.
  function passOn() {
    section.removeEventListener("focus", passOn);
    if (location.hash === "#staff-login") {
      field.focus();
    }
  }
  if (section) {
    section.addEventListener("focus", passOn);
  }
  link.addEventListener("click", function (event) {
    event.preventDefault();
    if (section) {
      section.removeEventListener("focus", passOn);
    }
    field.focus();
    if (history.replaceState) {
      history.replaceState(null, "", "#staff-login");
    }
  });
  if (location.hash === "#staff-login") {
    field.focus();
  }
})();
