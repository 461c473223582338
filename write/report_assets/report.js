"use strict";
// Cell details on hover, focus or click; a check's cells highlighted when it is followed; #cN / #kN links work.
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const panel = document.getElementById("details");
  const body = panel.querySelector(".details-body");
  let pinned = null;

  function el(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.textContent = String(content);
    return node;
  }

  function fact(list, term, value) {
    if (value === "" || value === null || value === undefined) return;
    list.append(el("dt", null, term), el("dd", null, value));
  }

  // A check as the checks list prints it (figures and reason), linking back to the list.
  function checkItem(k) {
    const item = document.getElementById("k" + k).cloneNode(true);
    item.removeAttribute("id");
    item.querySelectorAll(".where, .rows").forEach((node) => node.remove());
    const heading = item.querySelector(".go");
    const link = el("a", "go");
    link.href = "#k" + k;
    link.append(...heading.childNodes);
    heading.replaceWith(link);
    return item;
  }

  function show(index) {
    const cell = data.cells[index];
    if (!cell) return;
    body.replaceChildren(el("h2", "s-" + cell.state, cell.label), el("p", "row", [cell.row, cell.measure].filter(Boolean).join(" · ")));
    const facts = el("dl");
    fact(facts, "as read", cell.raw || "(empty)");
    fact(facts, "value", cell.value);
    if (cell.repair) {
      fact(facts, "repaired", (cell.repair.as_read || "(empty)") + " → " + (cell.repair.repaired || "(empty)"));
      fact(facts, "how", cell.repair.how + " (confidence " + cell.repair.confidence + ")");
      fact(facts, "evidence", cell.repair.evidence);
    }
    fact(facts, "problem", cell.problem);
    fact(facts, "note", cell.note);
    fact(facts, "source", cell.source);
    fact(facts, "page", cell.page);
    fact(facts, "line", cell.line);
    body.append(facts);
    const checks = cell.checks || [];
    if (checks.length) {
      const list = el("ul", "cell-checks");
      checks.forEach((k) => list.append(checkItem(k)));
      body.append(el("h3", null, "checks (" + checks.length + ")"), list);
    }
    panel.hidden = false;
  }

  function cellOf(node) {
    return node instanceof Element ? node.closest("a.cell[data-i]") : null;
  }

  function mark(className, indices) {
    document.querySelectorAll("a.cell." + className).forEach((node) => node.classList.remove(className));
    indices.forEach((i) => {
      const node = document.getElementById("c" + i);
      if (node) node.classList.add(className);
    });
  }

  function pin(index) {
    pinned = index;
    mark("pinned", index === null ? [] : [index]);
    if (index === null) panel.hidden = true;
    else show(index);
  }

  const showCellOf = (event) => {
    const cell = cellOf(event.target);
    if (cell) show(Number(cell.dataset.i));
  };
  document.addEventListener("mouseover", showCellOf);
  document.addEventListener("mouseout", (event) => {
    if (!cellOf(event.target) || cellOf(event.relatedTarget)) return;
    if (pinned === null) panel.hidden = true;
    else show(pinned);
  });
  document.addEventListener("focusin", showCellOf);
  document.addEventListener("click", (event) => {
    const cell = cellOf(event.target);
    if (cell) {
      event.preventDefault(); // pin without scrolling the cell away from under the pointer
      history.replaceState(null, "", "#c" + cell.dataset.i);
      pin(Number(cell.dataset.i));
      return;
    }
    const follow = event.target instanceof Element ? event.target.closest("[data-k]") : null;
    if (follow) mark("involved", data.check_cells[Number(follow.dataset.k)]);
  });
  panel.querySelector(".close").addEventListener("click", () => pin(null));

  function fromHash() {
    const match = /^#([ck])(\d+)$/.exec(location.hash);
    if (!match) return;
    if (match[1] === "c") {
      pin(Number(match[2]));
      return;
    }
    const item = document.getElementById("k" + match[2]);
    if (!item) return;
    const group = item.closest("details");
    if (group) group.open = true;
    item.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
