/*
 * Search-as-you-type for the marketplace search box: the ARIA 1.2 combobox pattern with a
 * listbox popup (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/). Progressive
 * enhancement: without this script the box is a plain search form. No inline code (the CSP
 * allows scripts from 'self' only); suggestions are inserted as text, never as HTML.
 *
 * Keys: Down/Up move through the suggestions (opening the list), Enter on a suggestion puts
 * it in the box and searches, Escape closes the list. Typing fetches suggestions from
 * GET <data-suggest-url>?q=&lang= after a short pause, dropping answers that came too late.
 */
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest-url]");
  if (!input || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var MIN_CHARS = 2;
  var MAX_CHARS = 100; // the API's limit
  var DELAY_MS = 150;
  var form = input.form;
  var url = input.getAttribute("data-suggest-url");
  var lang = input.getAttribute("data-lang") || "en";
  var list = document.createElement("ul");
  list.id = input.id + "-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.getAttribute("data-suggest-label") || "");
  list.hidden = true;
  input.parentNode.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  var active = -1;
  var timer = null;
  var controller = null;
  var shownFor = null;

  function options() {
    return list.querySelectorAll("[role=option]");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    var current = options()[active];
    if (current) {
      current.setAttribute("aria-selected", "false");
    }
    active = -1;
  }

  function open() {
    if (options().length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function activate(index) {
    var opts = options();
    if (!opts.length) {
      return;
    }
    if (opts[active]) {
      opts[active].setAttribute("aria-selected", "false");
    }
    active = (index + opts.length) % opts.length;
    var option = opts[active];
    option.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function choose(option) {
    input.value = option.getAttribute("data-value");
    close();
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function render(suggestions) {
    close();
    list.textContent = "";
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("lang", s.language);
      li.setAttribute("data-value", s.title);
      li.textContent = s.title;
      // Keep the focus in the box while the pointer presses an option.
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      li.addEventListener("click", function () {
        choose(li);
      });
      list.appendChild(li);
    });
    open();
  }

  function suggest() {
    var q = input.value.trim();
    if (q === shownFor) {
      open();
      return;
    }
    if (controller) {
      controller.abort();
      controller = null;
    }
    if (q.length < MIN_CHARS || q.length > MAX_CHARS) {
      shownFor = q;
      render([]);
      return;
    }
    controller = window.AbortController ? new AbortController() : null;
    var params = new URLSearchParams({ q: q, lang: lang });
    fetch(url + "?" + params.toString(), {
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (data) {
        // An answer for text that is no longer in the box is dropped.
        if (input.value.trim() === q) {
          shownFor = q;
          render(data.suggestions || []);
        }
      })
      .catch(function () {
        /* aborted or offline: the plain search still works */
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, DELAY_MS);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "Down") {
      event.preventDefault();
      open();
      activate(active + 1);
    } else if (event.key === "ArrowUp" || event.key === "Up") {
      event.preventDefault();
      open();
      activate(active < 0 ? -1 : active - 1);
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      }
    } else if (event.key === "Escape" || event.key === "Esc") {
      if (!list.hidden) {
        event.preventDefault();
        close();
      }
    }
  });
  input.addEventListener("blur", close);
})();
