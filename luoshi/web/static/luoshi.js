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
  // Evidence files: a file over the limit or of a refused type is named before the form is sent,
  // so the page (and all that was typed) stays; the server checks the same again.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var problems = [];
    form.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      var max = Number(input.getAttribute("data-max-bytes"));
      var allowed = (input.getAttribute("accept") || "").split(",").filter(Boolean);
      Array.prototype.forEach.call(input.files || [], function (f) {
        var dot = f.name.lastIndexOf(".");
        var ext = dot >= 0 ? f.name.slice(dot).toLowerCase() : "";
        if (allowed.length && allowed.indexOf(ext) < 0) {
          problems.push(f.name + "：不支持这种文件，请上传 PDF、图片、Office 文档、OFD 或 TXT");
        } else if (max && f.size > max) {
          problems.push(f.name + "：文件 " + (f.size / 1048576).toFixed(1) + " MB，超过上限 " + (max / 1048576) + " MB");
        }
      });
    });
    if (!problems.length) { return; }
    ev.preventDefault();
    var box = form.querySelector(".form-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "flash error form-error";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = problems.join("；") + "。请重新选择文件后提交，已填写的内容不会丢失。";
    box.scrollIntoView({ block: "center" });
  }, true);
  // Filters and the report switcher: submit when a select changes (the button stays for keyboards).
  document.querySelectorAll("form.filters select, select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  // The print view's button.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
