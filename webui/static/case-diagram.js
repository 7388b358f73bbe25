// The case diagram: bpmn-js NavigatedViewer (served from static/vendor, installed by
// scripts/setup-assets) draws the model the case runs on; the server says which elements are
// finished, active or overdue, and this script only adds those CSS markers.
(function () {
  var box = document.getElementById("diagram");
  if (!box) { return; }
  var status = box.querySelector(".diagram-status");
  var marks = JSON.parse(box.dataset.marks || "{}");

  function fail(text) { if (status) { status.textContent = text; } box.dataset.state = "error"; }

  function draw() {
    fetch(box.dataset.src, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (xml) {
        var viewer = new window.BpmnJS({ container: box });
        return viewer.importXML(xml).then(function () {
          if (status) { status.remove(); }
          var canvas = viewer.get("canvas");
          var registry = viewer.get("elementRegistry");
          function mark(ids, css) {
            (ids || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, css); } });
          }
          var finished = new Set(marks.finished || []);
          var reached = new Set([].concat(marks.finished || [], marks.active || [], marks.overdue || []));
          mark(marks.finished, "is-finished");
          mark(marks.active, "is-active");
          mark(marks.overdue, "is-overdue");
          // A sequence flow was taken if its source finished and its target was reached.
          registry.filter(function (e) { return e.type === "bpmn:SequenceFlow"; }).forEach(function (flow) {
            if (flow.source && flow.target && finished.has(flow.source.id) && reached.has(flow.target.id)) {
              canvas.addMarker(flow.id, "is-finished");
            }
          });
          var focus = (marks.overdue || []).concat(marks.active || []).map(function (id) { return registry.get(id); })
            .filter(Boolean);
          function showCurrent() {
            if (!focus.length) { canvas.zoom("fit-viewport", "auto"); return; }
            canvas.zoom(0.75);
            var vb = canvas.viewbox(), el = focus[0];
            canvas.viewbox({ x: el.x + el.width / 2 - vb.width / 2, y: el.y + el.height / 2 - vb.height / 2,
                             width: vb.width, height: vb.height });
          }
          function showAll() { canvas.zoom("fit-viewport", "auto"); }
          // A whole process rarely fits legibly: open on the current step, 全图 shows everything.
          canvas.zoom("fit-viewport");
          if (canvas.viewbox().scale < 0.6) { showCurrent(); }
          document.querySelectorAll("[data-zoom]").forEach(function (b) {
            b.addEventListener("click", b.dataset.zoom === "fit" ? showAll : showCurrent);
          });
          box.dataset.state = "ready";
        });
      })
      .catch(function (err) { fail("流程图加载失败：" + why(err)); });
  }

  // bpmn-js says why in English ("no diagram to display": a model drawn without its diagram part).
  function why(err) {
    var text = String((err && err.message) || err || "");
    if (/no diagram to display/i.test(text)) { return "该流程模型只有流程定义，没有图形信息，无法显示流程图"; }
    if (/^(403|404)$/.test(text)) { return "模型文件不存在或无权查看"; }
    if (/^\d{3}$/.test(text)) { return "服务器暂时无法提供模型文件，请稍后再试"; }
    return "模型文件无法显示";
  }

  if (window.BpmnJS) { draw(); return; }
  var script = document.createElement("script");
  script.src = box.dataset.vendor;
  script.onload = draw;
  script.onerror = function () { fail("流程图组件未安装（请运行 scripts/setup-assets）"); };
  document.head.appendChild(script);
})();
