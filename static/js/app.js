// Small behaviours, wired by data attributes so that no inline script is needed.
(function () {
  "use strict";

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  // htmx requests carry Django's CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = cookie("csrftoken");
  });

  // <form data-confirm="Are you sure?"> asks before it submits.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Matching settings only matter for questions used for matching.
  function syncMatchingRule() {
    const used = document.getElementById("id_used_for_matching");
    const rule = document.getElementById("div_id_matching_rule");
    if (used && rule) {
      rule.hidden = !used.checked;
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_used_for_matching") {
      syncMatchingRule();
    }
  });
  document.addEventListener("DOMContentLoaded", syncMatchingRule);
})();
