"use strict";
// Tables sort by the column whose heading is clicked (again: the other way). Cells may give a data-sort key.
(function () {
  function key(row, column) {
    const cell = row.cells[column];
    if (!cell) return "";
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }

  function compare(a, b) {
    if (a === "" || b === "") return (a === "") - (b === "");
    const numeric = /^-?\d+(\.\d+)?$/;
    if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
    return a.localeCompare(b, "zh-CN");
  }

  document.querySelectorAll("table.sortable").forEach((table) => {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((th, column) => {
      th.querySelector("button").addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach((h) => h.setAttribute("aria-sort", "none"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort((x, y) => compare(key(x, column), key(y, column)) * (ascending ? 1 : -1));
        body.append(...rows);
      });
    });
  });
})();
