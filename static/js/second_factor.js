/* 雙因素驗證 pages (no inline script: the pages' Content-Security-Policy allows none).
 *
 * 列印 on the recovery codes prints the page; once a passkey is registered (django-otp-webauthn's
 * script announces it with the "otp_webauthn.register_complete" event), the page moves on to the
 * address its [data-passkey-done] holds: the new recovery codes, or the list of factors. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) {
      event.preventDefault();
      window.print();
    }
  });

  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var holder = event.target.closest ? event.target.closest("[data-passkey-done]") : null;
    holder = holder || document.querySelector("[data-passkey-done]");
    if (holder) {
      window.location.assign(holder.getAttribute("data-passkey-done"));
    }
  });
})();
