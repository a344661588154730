// Progressive enhancement: a "Copy" button beside text shown once (e.g. a new API token).
// Without JavaScript the button stays hidden and the text can be selected and copied.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value || source.textContent).then(
        function () { button.textContent = "Copied"; },
        function () { source.select(); button.textContent = "Press Ctrl+C to copy"; }
      );
    });
  });
})();
