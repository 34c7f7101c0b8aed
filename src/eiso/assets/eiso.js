/* e-ISO: sortable and filterable tables. No inline script: loaded as a file. */
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
  }
  function cellKey(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.getAttribute("data-sort") || fold(cell.textContent.trim());
  }
  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      th.setAttribute("role", "button");
      th.tabIndex = 0;
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellKey(a, index), y = cellKey(b, index);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter") sort(); });
    });
  }
  function makeFilter(input) {
    // One text box per table, plus optional <select data-eiso-facet="NAME" data-eiso-scope="ID">
    // that keep only the rows whose data-NAME equals the chosen value (e.g. the nonconformity register).
    var id = input.getAttribute("data-eiso-filter");
    var scope = document.getElementById(id);
    if (!scope) return;
    var facets = document.querySelectorAll('select[data-eiso-facet][data-eiso-scope="' + id + '"]');
    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      scope.querySelectorAll("tbody tr").forEach(function (row) {
        var text = fold(row.textContent);
        var shown = words.every(function (w) { return text.indexOf(w) !== -1; });
        facets.forEach(function (select) {
          var name = select.getAttribute("data-eiso-facet");
          if (select.value && row.getAttribute("data-" + name) !== select.value) shown = false;
        });
        row.hidden = !shown;
      });
    }
    input.addEventListener("input", apply);
    facets.forEach(function (select) { select.addEventListener("change", apply); });
  }
  function refreshReviewStates(table) {
    // The page says the state as of its commit; the reader wants it as of today.
    var today = new Date();
    today.setHours(0, 0, 0, 0);
    table.querySelectorAll("tr[data-due]").forEach(function (row) {
      var due = new Date(row.getAttribute("data-due") + "T00:00:00");
      var days = Math.round((due - today) / 86400000);
      var cell = row.querySelector(".eiso-review-state");
      if (!cell || isNaN(days)) return;
      cell.textContent = days < 0 ? "Quá hạn " + (-days) + " ngày"
        : days <= 30 ? "Đến hạn (còn " + days + " ngày)" : "Chưa đến hạn";
    });
  }
  function cssString(text) {
    // Same escaping as the renderer's css_string: only letters and digits stay themselves.
    return '"' + text.replace(/[^\p{L}\p{N}]/gu, function (c) {
      return "\\" + ("000000" + c.codePointAt(0).toString(16)).slice(-6);
    }) + '"';
  }
  function printFooter() {
    // Margin boxes of printed pages cannot read the page; the print date and the address of the
    // current revision are only known here, in the reader's browser.
    var doc = document.querySelector("[data-eiso-print]");
    if (!doc) return;
    var current = new URL(doc.getAttribute("data-eiso-print"), window.location.href);
    current.hash = "";
    current.search = "";
    var now = new Date();
    var day = ("0" + now.getDate()).slice(-2) + "/" + ("0" + (now.getMonth() + 1)).slice(-2) + "/" + now.getFullYear();
    var text = "In ngày " + day + ". Bản in có giá trị tham khảo tại ngày in — bản hiện hành tại " + current.href;
    var style = document.getElementById("eiso-print-footer");
    if (!style) {
      style = document.createElement("style");
      style.id = "eiso-print-footer";
      style.media = "print";
      document.head.appendChild(style);
    }
    style.textContent = "@page { @bottom-left { content: " + cssString(text) + "; } }";
  }
  window.addEventListener("beforeprint", printFooter);

  // Search: when no result holds every word of the query, the worker returns the closest ones
  // and says so first ("eiso:fallback"); the count line then says they are approximate.
  var FALLBACK = "Không có kết quả chứa đủ các từ; kết quả gần đúng: ";
  function labelFallback() {
    var worker = window.eisoSearchWorker;
    var meta = document.querySelector(".md-search-result__meta");
    if (!worker || !meta || worker.eisoLabelled) return;
    worker.eisoLabelled = true;
    var fallback = false;
    function relabel() {
      var text = meta.textContent;
      if (fallback && text.indexOf(FALLBACK) !== 0 && /\d/.test(text)) meta.textContent = FALLBACK + text;
    }
    worker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "eiso:fallback") fallback = !!event.data.data;
    });
    new MutationObserver(relabel).observe(meta, { childList: true, characterData: true, subtree: true });
  }
  function init() {
    printFooter();
    labelFallback();
    document.querySelectorAll("table[data-eiso-review]").forEach(refreshReviewStates);
    document.querySelectorAll("table[data-eiso-sortable]").forEach(makeSortable);
    document.querySelectorAll("input[data-eiso-filter]").forEach(makeFilter);
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(init);  // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
