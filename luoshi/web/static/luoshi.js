// luoshi — progressive enhancement only; every page works without this file.
(function () {
  "use strict";
  // Review page: clicking a commitment highlights and scrolls to its span in the source text
  // (the plain #c123 anchors already work without JavaScript).
  function activate(id) {
    document.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
    var span = document.getElementById("s" + id);
    var item = document.getElementById("c" + id);
    if (span) { span.classList.add("active"); span.scrollIntoView({ block: "center" }); }
    if (item) { item.classList.add("active"); }
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("a[data-span]");
    if (link) { ev.preventDefault(); activate(link.getAttribute("data-span")); history.replaceState(null, "", "#s" + link.getAttribute("data-span")); return; }
    var mark = ev.target.closest("mark[data-commitment]");
    if (mark) {
      var item = document.getElementById("c" + mark.getAttribute("data-commitment"));
      if (item) { activate(mark.getAttribute("data-commitment")); item.scrollIntoView({ block: "center" }); }
    }
  });
  // Confirm destructive actions.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); }
  });
  // Filters and the report switcher: submit when a select changes (the button stays for keyboards).
  document.querySelectorAll("form.filters select, select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  // The print view's button.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
