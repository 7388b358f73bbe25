// 当事企业 as one types (案件查询): the names of the user's units' enterprises that hold what was typed,
// fetched after a pause in typing (GET /parties/suggest?q=…, at most 20) into the box's list; the box
// takes any name, part of one or a 统一社会信用代码 without them.
(function () {
  document.querySelectorAll("input[data-suggest][list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null, asked = null, latest = 0;
    function offer(rows) {
      var options = rows.map(function (e) {
        var option = document.createElement("option");
        option.value = e.name;
        option.dataset.code = e.code;
        return option;
      });
      list.replaceChildren.apply(list, options);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (!text || text === asked) { return; }
      if (Array.prototype.some.call(list.options, function (o) { return o.value === input.value; })) { return; }  // picked
      timer = setTimeout(function () {
        var mine = ++latest;
        asked = text;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text),
              {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (rows) { if (mine === latest) { offer(rows); } })
          .catch(function () { asked = null; });
      }, 250);
    });
  });
})();
