// Progressive enhancement only: the site reads the same with this file missing.
(function () {
  "use strict";
  var root = document.documentElement;
  var strings = document.body.dataset;

  // Theme toggle: remembers the reader's choice; the inline script in <head> applies it early.
  var toggle = document.querySelector(".theme-toggle");
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  function currentTheme() {
    return root.dataset.theme || (systemDark.matches ? "dark" : "light");
  }
  function labelToggle() {
    var dark = currentTheme() === "dark";
    toggle.setAttribute("aria-pressed", String(dark));
    toggle.textContent = dark ? "☾" : "☀";
  }
  if (toggle) {
    toggle.hidden = false;
    labelToggle();
    toggle.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("theme", next); } catch (error) { /* private mode */ }
      labelToggle();
    });
    systemDark.addEventListener("change", labelToggle);
  }

  // Copy buttons on code blocks.
  if (navigator.clipboard) {
    document.querySelectorAll(".prose .highlight").forEach(function (block) {
      var code = block.querySelector("pre");
      if (!code) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = strings.copyLabel;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(code.innerText).then(function () {
          button.textContent = strings.copiedLabel;
          setTimeout(function () { button.textContent = strings.copyLabel; }, 2000);
        });
      });
      block.appendChild(button);
    });
  }
})();
