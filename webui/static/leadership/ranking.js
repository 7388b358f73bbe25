// 通报排名: the scores as horizontal bars (the last two in red, a unit with nothing to count — 无可考核事项 —
// in grey and so labelled); a click opens that unit's dashboard.
(function () {
  "use strict";
  var block = document.getElementById("ranking-data");
  var drill = document.getElementById("drill");
  var el = document.querySelector("[data-ranking]");
  if (!block || !drill || !el || !window.echarts) { return; }
  var data = JSON.parse(block.textContent);
  el.style.height = Math.max(200, 36 * data.categories.length + 60) + "px";
  var chart = window.echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    // the units' names take what they need (a phone has no 160 px to spare for them)
    grid: { left: 10, right: 40, top: 10, bottom: 30, containLabel: true },
    xAxis: { type: "value", max: 100, name: "分" },
    yAxis: { type: "category", inverse: true, data: data.categories },
    series: [{ type: "bar", name: "综合得分", label: { show: true, position: "right" },
               data: data.scores.map(function (v, i) {
                 var nothing = data.nothing && data.nothing[i];
                 return { value: v, itemStyle: { color: data.last[i] ? "#c62828" : (nothing ? "#9e9e9e" : "#1565c0") },
                          // inside its (full) bar: beside it, the words ran off a phone's screen
                          label: nothing ? { formatter: v + "（无可考核事项）", position: "insideRight", color: "#fff" } : undefined };
               }) }]
  });
  chart.on("click", function (p) {
    var q = new URLSearchParams({ org: data.codes[p.dataIndex], period: drill.dataset.period });
    window.location.href = drill.dataset.url + "?" + q.toString();
  });
  el.dataset.ready = "1";
  window.addEventListener("resize", function () { chart.resize(); });
  document.querySelectorAll("[data-print]").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
})();
