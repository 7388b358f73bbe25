// A field the browser checks itself (required, minlength, pattern, an e-mail or number box) says what
// is wrong in Chinese, naming the field by its label: 「请填写用户名」, 「新密码至少 10 个字符（现在 3 个）」.
// Without this the browser speaks its own language (「Please fill out this field.」 in an English one).
// Forms marked novalidate (task and start forms) are checked by the server, which names the field itself.
(function () {
  function labelOf(el) {
    var text = "", legend = el.type === "radio" && el.closest("fieldset") && el.closest("fieldset").querySelector("legend");
    if (legend) {
      text = legend.textContent;
    } else if (el.labels && el.labels.length) {
      var label = el.labels[0].cloneNode(true);
      label.querySelectorAll("input, select, textarea, small, .hint").forEach(function (n) { n.remove(); });
      text = label.textContent;
    }
    text = (text || el.getAttribute("aria-label") || "").replace(/[*＊:：]/g, "").trim();
    return text;
  }

  function message(el) {
    var v = el.validity, name = labelOf(el);
    var quoted = name ? "「" + name + "」" : "此项";
    if (v.valueMissing) {
      if (el.type === "checkbox") { return "请勾选" + quoted; }
      if (el.tagName === "SELECT" || el.type === "radio" || el.type === "file") { return "请选择" + quoted; }
      return name ? "请填写" + name : "请填写此项";
    }
    if (v.tooShort) { return quoted + "至少 " + el.minLength + " 个字符（现在 " + el.value.length + " 个）"; }
    if (v.tooLong) { return quoted + "最多 " + el.maxLength + " 个字符（现在 " + el.value.length + " 个）"; }
    if (v.typeMismatch && el.type === "email") { return quoted + "不是电子邮箱地址，应写成 名称@单位域名"; }
    if (v.typeMismatch) { return quoted + "的格式不对"; }
    if (v.badInput || v.stepMismatch) { return quoted + "请填写数字"; }
    if (v.rangeUnderflow) { return quoted + "不能小于 " + el.min; }
    if (v.rangeOverflow) { return quoted + "不能大于 " + el.max; }
    if (v.patternMismatch) { return el.title || quoted + "的格式不对"; }
    return "请检查" + quoted;
  }

  function check(el) {
    if (!el.willValidate) { return; }
    el.setCustomValidity("");
    if (!el.validity.valid) { el.setCustomValidity(message(el)); }
  }

  function fields() {
    return document.querySelectorAll("form:not([novalidate]) input, form:not([novalidate]) select, " +
                                     "form:not([novalidate]) textarea");
  }

  fields().forEach(check);
  ["input", "change"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var el = event.target;
      if (el.form && !el.form.noValidate) { check(el); }
    }, true);
  });
  document.addEventListener("invalid", function (event) { check(event.target); }, true);
})();
