/* The header menu (a <details>, usable without this file): close it on Escape or a tap elsewhere,
   and mark the link of the current page in the header and the tab bar. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.querySelector("details.menu");
    if (menu) {
      document.addEventListener("click", function (event) {
        if (menu.open && !menu.contains(event.target)) { menu.open = false; }
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    }
    var here = window.location.pathname;
    var best = null;
    document.querySelectorAll(".tabbar a, .header-links a").forEach(function (link) {
      var path = new URL(link.href, window.location.href).pathname;
      var matches = path === "/" ? here === "/" : here.indexOf(path) === 0;
      if (matches && (!best || path.length >= best.length)) { best = path; }
    });
    if (best !== null) {
      document.querySelectorAll(".tabbar a, .header-links a").forEach(function (link) {
        if (new URL(link.href, window.location.href).pathname === best) { link.setAttribute("aria-current", "page"); }
      });
    }
  });
})();
