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

// Files held from a refused submit (暂存附件): 移除 takes one off the form, so it is not submitted;
// the server then forgets it.
(function () {
  document.querySelectorAll(".held-file button.remove-held").forEach(function (button) {
    button.addEventListener("click", function () { button.closest(".held-file").remove(); });
  });
})();

// 发起案件: a process chosen whose start form is drawn in the model (its option marked data-form) shows
// that form: the page again for that process, with 案件名称, 当事企业 and 办理单位 kept; so does
// leaving such a process for another. Any other choice stays on the page as it is.
(function () {
  var select = document.querySelector("select[data-reload]");
  if (!select) { return; }
  select.addEventListener("change", function () {
    var picked = select.options[select.selectedIndex];
    if (!(picked && picked.hasAttribute("data-form")) && !document.querySelector(".drawn-start-form")) { return; }
    var url = new URL(window.location.href);
    url.searchParams.set("process", select.value);
    ["title", "party", "org"].forEach(function (name) {
      var input = document.getElementById("f-" + name);
      if (input && input.value) { url.searchParams.set(name, input.value); } else { url.searchParams.delete(name); }
    });
    window.location.href = url.toString();
  });
})();

// A field of a Camunda 8 form that its condition hides (conditional.hide: 整改期限 while 是否存在重大事故隐患
// is 否; 审批意见 while 金额 > 5000000 and 是否重大 = false) is hidden as the official types, and its inputs
// disabled so they post nothing, as form-js does. The condition comes as a tree (webui/drawn_form.py
// _hide_when) read the way the server reads what is posted (engine/model_forms.check, .hidden): a
// field not posted — left empty, or hidden itself — is null; numbers as officials type them
// (５,０００,０００); a comparison the server could not make (null > 5, text < 5) hides nothing. The
// server decides again on submit: a hidden field is neither asked for nor stored.
(function () {
  var fields = Array.prototype.slice.call(document.querySelectorAll("[data-hide]"));
  if (!fields.length) { return; }
  var FAIL = {};

  function inputsOf(form, name) {
    return form ? Array.prototype.slice.call(form.querySelectorAll('[name="' + name + '"]')) : [];
  }
  function number(text) {
    var t = text.normalize("NFKC").replace(/[,，\s]/g, "");
    return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : null;
  }
  // What the server would hold for the field ``name`` of ``kind`` once posted (null when not posted).
  function valueOf(form, name, kind, hidden) {
    var inputs = inputsOf(form, name).filter(function (i) {
      return !i.classList.contains("readonly") && !hidden.some(function (f) { return f.contains(i); });
    });
    if (!inputs.length) { return null; }
    var picked = [];
    inputs.forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") { if (input.checked) { picked.push(input.value); } }
      else if (input.value.trim() !== "") { picked.push(input.value.trim()); }
    });
    if (kind === "multichoice") { return picked.length ? picked : null; }
    var text = picked.length ? picked[picked.length - 1] : "";
    if (text === "") { return null; }
    if (kind === "boolean") { return text === "true" ? true : text === "false" ? false : text; }
    if (kind === "integer" || kind === "number") { var n = number(text); return n === null ? text : n; }
    return text;
  }
  function truth(v) {
    return v !== null && v !== false && v !== 0 && v !== "" && !(Array.isArray(v) && !v.length);
  }
  function same(a, b) { return a === b; }  // Python's == of these values: null, 是/否, a number, a text
  function evaluate(node, form, hidden) {
    if (node.and) { return node.and.every(function (n) { return truth(evaluate(n, form, hidden)); }); }
    if (node.or) { return node.or.some(function (n) { return truth(evaluate(n, form, hidden)); }); }
    if (node.not) { return !truth(evaluate(node.not, form, hidden)); }
    var v = valueOf(form, node["var"], node.kind, hidden);
    if (!node.cmp) { return v; }
    var w = node.value;
    if (node.cmp === "==") { return same(v, w); }
    if (node.cmp === "!=") { return !same(v, w); }
    if (v === null || w === null || Array.isArray(v) || typeof v !== typeof w || typeof v === "boolean") { throw FAIL; }
    switch (node.cmp) {
      case "<": return v < w;
      case "<=": return v <= w;
      case ">": return v > w;
      default: return v >= w;
    }
  }
  function hides(field, hidden) {
    try { return truth(evaluate(JSON.parse(field.dataset.hide), field.closest("form"), hidden)); } catch (e) { return false; }
  }
  function update() {
    var hidden = [];
    for (var round = 0; round < 5; round++) {  // a condition may read a field another condition hides
      var now = fields.filter(function (f) { return hides(f, hidden); });
      var stable = now.length === hidden.length && now.every(function (f) { return hidden.indexOf(f) >= 0; });
      hidden = now;
      if (stable) { break; }
    }
    fields.forEach(function (field) {
      var hide = hidden.indexOf(field) >= 0;
      field.hidden = hide;
      field.style.display = hide ? "none" : "";  // .field sets its own display, over [hidden]
      field.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = hide || input.classList.contains("readonly"); });
    });
  }
  var forms = [];
  fields.forEach(function (f) { var form = f.closest("form"); if (form && forms.indexOf(form) < 0) { forms.push(form); } });
  forms.forEach(function (form) { form.addEventListener("change", update); form.addEventListener("input", update); });
  update();
})();

// A start or task form is sent once: a second click on 发起/提交 while the first is on its way sends
// nothing (it started a second case, or answered 任务已办结 over the first's success). Not by disabling
// the button, which would drop the decision it carries; the page come back to (后退) may send again.
(function () {
  document.querySelectorAll("form#start-form, form#task-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
    window.addEventListener("pageshow", function () { delete form.dataset.sent; });
  });
})();

// Names typed one a line (调查组成员, 约谈人…) with the people the case knows offered under the box: a pick
// adds the name as a line, a second takes it out; a name typed by hand shows its button pressed.
(function () {
  document.querySelectorAll(".name-picks").forEach(function (picks) {
    var box = document.getElementById(picks.dataset.for);
    if (!box) { return; }
    function lines() { return box.value.split(/[\n、，,；;]/).map(function (l) { return l.trim(); }).filter(Boolean); }
    function mark() {
      var now = lines();
      picks.querySelectorAll("button.pick-name").forEach(function (b) {
        b.setAttribute("aria-pressed", now.indexOf(b.dataset.name) >= 0 ? "true" : "false");
      });
    }
    picks.querySelectorAll("button.pick-name").forEach(function (b) {
      b.addEventListener("click", function () {
        var now = lines(), at = now.indexOf(b.dataset.name);
        if (at >= 0) { now.splice(at, 1); } else { now.push(b.dataset.name); }
        box.value = now.join("\n");
        box.dispatchEvent(new Event("input", { bubbles: true }));
        mark();
      });
    });
    box.addEventListener("input", mark);
    mark();
  });
})();
