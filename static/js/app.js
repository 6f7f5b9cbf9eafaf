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

  function submitButtons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }

  // <form data-confirm="Are you sure?"> asks before it submits. A POST form submits
  // once: a double click on "Create program" must not create two programs.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    const question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // htmx forms stay on the page and handle their own requests.
    if (event.defaultPrevented || form.method !== "post" || form.hasAttribute("hx-post")) {
      return;
    }
    if (form.hasAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "");
    // Disabled buttons are left out of the submitted data, so disable them only once
    // the browser has collected it (it keeps the clicked button's name=value).
    window.setTimeout(function () {
      submitButtons(form).forEach(function (button) {
        if (!button.disabled) {
          button.disabled = true;
          button.setAttribute("data-disabled-on-submit", "");
        }
      });
    }, 0);
  });

  // Back/forward cache: a page restored after a submit must be usable again (the
  // buttons the page itself disables, such as "move up" on the first row, stay so).
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
      form.querySelectorAll("[data-disabled-on-submit]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("data-disabled-on-submit");
      });
    });
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

  // An error summary (<div data-error-summary tabindex="-1">) takes focus when the
  // page opens, so keyboard and screen-reader users start at the list of problems.
  document.addEventListener("DOMContentLoaded", function () {
    const summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });

  // Its links move focus to the field and bring the field's label or legend into view
  // (a plain jump to the fragment would hide the question above the top edge).
  document.addEventListener("click", function (event) {
    const link = event.target instanceof Element &&
      event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    const input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    // A radio or checkbox is labelled by its option; the question is its group's
    // legend, when that is near enough to show together with the input.
    const fieldset = input.closest("fieldset");
    const legend = fieldset && fieldset.querySelector("legend");
    const label = (input.labels && input.labels[0]) || input;
    const nearLegend = legend && input.getBoundingClientRect().top -
      legend.getBoundingClientRect().top < window.innerHeight / 2;
    const choice = input.type === "radio" || input.type === "checkbox";
    (choice && nearLegend ? legend : label).scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
