/*
 * Zhichi (支持) — small page behaviours. No framework, no inline script (CSP).
 *
 *   "/"                    focuses #global-search (unless typing in a field)
 *   [data-remove-row]      ticks the "-DELETE" checkbox of the closest
 *                          [data-formset-row], hides the row, moves focus on
 *                          (to [data-formset-add] if there is one)
 *   form[data-confirm]     asks window.confirm(message) before submitting
 *                          (a submit button may carry its own data-confirm)
 *   [data-autosubmit]      submits its form on change (filter bars)
 *   #form-errors           the error summary gets focus when a page loads with it
 *   Escape                 closes the folded navigation (#zc-nav, small screens) and
 *                          gives focus back to its menu button
 *
 * Document-level listeners are bound once, so content swapped in by htmx works
 * without re-binding; enhance() runs on DOMContentLoaded and on every htmx:load.
 * Plain ES2015 (no ?. or ??) for older intranet browsers.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  if (window.Zhichi) {
    return; // already loaded (e.g. body re-swapped by hx-boost)
  }

  var EDITABLE_TAGS = ["INPUT", "TEXTAREA", "SELECT"];

  function isEditable(el) {
    if (!el || el.nodeType !== 1) {
      return false;
    }
    return EDITABLE_TAGS.indexOf(el.tagName) !== -1 || el.isContentEditable;
  }

  function isVisible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  var FOCUSABLE =
    'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), ' +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function firstFocusable(container) {
    var candidates = container.querySelectorAll(FOCUSABLE);
    for (var i = 0; i < candidates.length; i++) {
      if (isVisible(candidates[i])) {
        return candidates[i];
      }
    }
    return null;
  }

  /* ---- "/" focuses the global search ---------------------------------- */

  function onKeydown(event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.defaultPrevented || event.isComposing || isEditable(event.target)) {
      return;
    }
    var search = document.getElementById("global-search");
    if (!search) {
      return;
    }
    event.preventDefault();
    search.focus();
    if (typeof search.select === "function") {
      search.select();
    }
  }

  /* ---- formset rows --------------------------------------------------- */

  function deleteCheckbox(row) {
    return row.querySelector('input[type="checkbox"][name$="-DELETE"]');
  }

  function findAddButton(row) {
    var scope = row.parentElement;
    while (scope) {
      var add = scope.querySelector("[data-formset-add]");
      if (add) {
        return add;
      }
      scope = scope.parentElement;
    }
    return null;
  }

  function siblingRow(row, forward) {
    var el = forward ? row.nextElementSibling : row.previousElementSibling;
    while (el) {
      if (el.hasAttribute("data-formset-row") && !el.classList.contains("d-none")) {
        return el;
      }
      el = forward ? el.nextElementSibling : el.previousElementSibling;
    }
    return null;
  }

  function focusAfterRemoval(row) {
    var target = null;
    var add = findAddButton(row);
    if (add && isVisible(add)) {
      target = add;
    } else {
      var other = siblingRow(row, true) || siblingRow(row, false);
      if (other) {
        target = firstFocusable(other);
      }
      if (!target) {
        var form = row.closest("form");
        if (form) {
          target = form.querySelector('button[type="submit"], input[type="submit"]');
        }
      }
    }
    if (target) {
      target.focus();
    }
  }

  function onClick(event) {
    var trigger = event.target.closest("[data-remove-row]");
    if (!trigger) {
      return;
    }
    var row = trigger.closest("[data-formset-row]");
    if (!row) {
      return;
    }
    event.preventDefault();
    var checkbox = deleteCheckbox(row);
    if (!checkbox) {
      // Without a DELETE checkbox the row would still be submitted; do not fake a removal.
      if (window.console) {
        window.console.warn("zhichi: [data-remove-row] without a -DELETE checkbox", row);
      }
      return;
    }
    checkbox.checked = true;
    checkbox.dispatchEvent(new Event("change", { bubbles: true }));
    row.classList.add("d-none");
    focusAfterRemoval(row); // the trigger is now hidden: do not leave focus on <body>
  }

  /* ---- confirm before submit ----------------------------------------- */

  // Capture phase on document runs before listeners on the form itself (e.g. htmx),
  // so a refusal stops those too.
  function onSubmit(event) {
    var form = event.target;
    if (!form || form.tagName !== "FORM") {
      return;
    }
    var submitter = event.submitter;
    var message = null;
    if (submitter && submitter.hasAttribute("data-confirm")) {
      message = submitter.getAttribute("data-confirm");
    } else if (form.hasAttribute("data-confirm")) {
      message = form.getAttribute("data-confirm");
    }
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  /* ---- autosubmit filters --------------------------------------------- */

  function onChange(event) {
    var el = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
    if (!el) {
      return;
    }
    var form = event.target.form || el.closest("form");
    if (!form) {
      return;
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(); // fires "submit": validation, data-confirm and htmx still apply
    } else {
      form.submit();
    }
  }

  /* ---- the folded navigation (small screens) --------------------------- */

  // Bootstrap's collapse opens and closes #zc-nav from the menu button and keeps its
  // aria-expanded; Escape closes it too, unless an open dropdown or dialog takes the key.
  function onNavEscape(event) {
    if (event.key !== "Escape" && event.key !== "Esc") {
      return;
    }
    var nav = document.getElementById("zc-nav");
    var toggle = document.querySelector('[aria-controls="zc-nav"]');
    if (!nav || !toggle || !nav.classList.contains("show") || !isVisible(toggle)) {
      return;
    }
    if (document.querySelector(".dropdown-menu.show, .modal.show") || !window.bootstrap) {
      return;
    }
    window.bootstrap.Collapse.getOrCreateInstance(nav, { toggle: false }).hide();
    toggle.focus();
  }

  /* ---- per-content enhancements (initial page and htmx swaps) ---------- */

  function enhance(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    // Rows already marked for deletion (e.g. page re-rendered after a failed submit)
    // stay hidden.
    var rows = root.querySelectorAll("[data-formset-row]");
    for (var i = 0; i < rows.length; i++) {
      var box = deleteCheckbox(rows[i]);
      if (box && box.checked) {
        rows[i].classList.add("d-none");
      }
    }
    // Error summary: take the user there once.
    var summary = root.id === "form-errors" ? root : root.querySelector("#form-errors");
    if (summary && !summary.hasAttribute("data-zc-focused")) {
      summary.setAttribute("data-zc-focused", "");
      summary.focus();
    }
  }

  function init() {
    document.addEventListener("keydown", onKeydown);
    document.addEventListener("keydown", onNavEscape);
    document.addEventListener("click", onClick);
    document.addEventListener("submit", onSubmit, true);
    document.addEventListener("change", onChange);
    enhance(document.body);
    document.body.addEventListener("htmx:load", function (event) {
      enhance(event.detail && event.detail.elt ? event.detail.elt : event.target);
    });
  }

  window.Zhichi = { enhance: enhance };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
