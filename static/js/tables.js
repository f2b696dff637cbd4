/* Tables on a phone: below 600 px each row of a data table reads as a stacked card (CSS in
   css/portal.css, `table.cards`), each cell labelled with its column heading. This file copies the
   headings into data-label attributes where a template did not write them, and marks the tables
   that become cards: those with a heading row and three columns or more, unless marked `.keep`.
   Without it (no script) wide tables scroll inside their own box: the page never scrolls sideways. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.classList.contains("keep") || !table.tHead) { return; }
      var headRow = table.tHead.rows[table.tHead.rows.length - 1];
      if (!headRow || headRow.cells.length < 3) { return; }
      var labels = [];
      Array.prototype.forEach.call(headRow.cells, function (cell) {
        var span = cell.colSpan || 1;
        for (var i = 0; i < span; i++) { labels.push(cell.textContent.trim()); }
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label") && labels[column]) { cell.setAttribute("data-label", labels[column]); }
            column += cell.colSpan || 1;
          });
        });
      });
      table.classList.add("cards");
    });
  });
})();
