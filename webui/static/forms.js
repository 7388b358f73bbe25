// Task forms: "添加一行" adds a blank row to a table field, numbering its inputs name.<row>.<column>.
(function () {
  document.querySelectorAll("button.add-row").forEach(function (button) {
    button.addEventListener("click", function () {
      var table = document.querySelector('table.form-table[data-table="' + button.dataset.table + '"] tbody');
      var last = table.rows[table.rows.length - 1];
      var row = last.cloneNode(true);
      var index = table.rows.length;
      row.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.name = input.name.replace(/\.\d+\./, "." + index + ".");
        if (input.type === "checkbox" || input.type === "radio") { input.checked = false; } else { input.value = ""; }
      });
      row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      row.querySelectorAll(".has-error").forEach(function (e) { e.classList.remove("has-error"); });
      table.appendChild(row);
    });
  });
})();

// An enterprise's name picked from its list (datalist) fills the form's 统一社会信用代码 when that is
// empty or was filled by an earlier pick; a name typed that is not in the list leaves it alone.
(function () {
  document.querySelectorAll("input[list][data-fills]").forEach(function (input) {
    var target = document.getElementById("f-" + input.dataset.fills);
    var list = document.getElementById(input.getAttribute("list"));
    if (!target || !list) { return; }
    input.addEventListener("change", function () {
      var picked = Array.prototype.find.call(list.options, function (o) { return o.value === input.value; });
      if (picked && (!target.value || target.dataset.filled === target.value)) {
        target.value = picked.dataset.code;
        target.dataset.filled = picked.dataset.code;
      }
    });
  });
})();

// File pickers: show the chosen file names in Chinese instead of the browser's own words.
(function () {
  document.querySelectorAll(".file-pick input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      input.parentNode.querySelector(".file-names").textContent = names.length ? names.join("、") : "未选择文件";
    });
  });
})();

// 发起案件: a process chosen whose start form is drawn in the model (its option marked data-form) shows
// that form: the page again for that process, with what was typed in 案件名称 and 当事企业 kept; so does
// leaving such a process for another. Any other choice stays on the page as it is.
(function () {
  var select = document.querySelector("select[data-reload]");
  if (!select) { return; }
  select.addEventListener("change", function () {
    var picked = select.options[select.selectedIndex];
    if (!(picked && picked.hasAttribute("data-form")) && !document.querySelector(".drawn-start-form")) { return; }
    var url = new URL(window.location.href);
    url.searchParams.set("process", select.value);
    ["title", "party"].forEach(function (name) {
      var input = document.getElementById("f-" + name);
      if (input && input.value) { url.searchParams.set(name, input.value); } else { url.searchParams.delete(name); }
    });
    window.location.href = url.toString();
  });
})();

// A field of a Camunda 8 form that its condition hides (conditional.hide: 整改期限 while 是否存在重大事故隐患
// is 否) is hidden as the official chooses, and its inputs disabled so they post nothing, as form-js
// does; the server decides again on what is posted (engine/model_forms.hidden).
(function () {
  document.querySelectorAll("[data-hide-name]").forEach(function (field) {
    var form = field.closest("form");
    var name = field.dataset.hideName, op = field.dataset.hideOp, value = field.dataset.hideValue;
    var inputs = form ? form.querySelectorAll('[name="' + name + '"]') : [];
    if (!inputs.length) { return; }
    function current() {
      var picked = "";
      inputs.forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") { if (input.checked) { picked = input.value; } }
        else { picked = input.value.trim(); }
      });
      return picked;
    }
    function update() {
      var now = current();
      var hide = op === "is" ? now === value : op === "not" ? now !== value : op === "eq" ? now === value : now !== value;
      field.hidden = hide;
      field.style.display = hide ? "none" : "";  // .field sets its own display, over [hidden]
      field.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = hide || input.classList.contains("readonly"); });
    }
    inputs.forEach(function (input) { input.addEventListener("change", update); input.addEventListener("input", update); });
    update();
  });
})();
