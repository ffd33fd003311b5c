// Applies the reader's saved colour scheme before the page paints, and wires the toggle.
// Without this script the page follows the system setting (prefers-color-scheme).
(function () {
  var root = document.documentElement;
  var saved = null;
  try { saved = localStorage.getItem("theme"); } catch (e) { /* storage blocked */ }
  if (saved === "dark" || saved === "light") root.setAttribute("data-theme", saved);

  function current() {
    var set = root.getAttribute("data-theme");
    if (set) return set;
    return window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  // A formula or figure wider than the screen scrolls inside itself; let the keyboard reach it.
  function focusableOverflow() {
    var boxes = document.querySelectorAll('math[display="inline"], .math.display, .figure-frame');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
    }
  }
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(focusableOverflow, 200);
  });

  document.addEventListener("DOMContentLoaded", function () {
    focusableOverflow();
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    function sync() {
      var dark = current() === "dark";
      button.setAttribute("aria-pressed", dark ? "true" : "false");
      button.title = dark ? "Switch to light theme" : "Switch to dark theme";
    }
    button.hidden = false;
    sync();
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("theme", next); } catch (e) { /* storage blocked */ }
      sync();
    });
  });
})();
