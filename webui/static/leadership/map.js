// 风险分布图: the uploaded boundaries drawn by ECharts, each area in its colour; a click opens the
// area's open 重大 hazards.
(function () {
  "use strict";
  var block = document.getElementById("map-data");
  var drill = document.getElementById("drill");
  var el = document.querySelector("[data-map]");
  if (!block || !drill || !el || !window.echarts) { return; }
  var data = JSON.parse(block.textContent);
  var COLOURS = { "红": "#c62828", "橙": "#ef6c00", "黄": "#f9a825", "蓝": "#1565c0", "无": "#9e9e9e" };
  data.geo.features.forEach(function (f) { f.properties.name = f.properties.code; });
  window.echarts.registerMap("duban-areas", data.geo);
  var byCode = {};
  data.areas.forEach(function (a) { byCode[a.org] = a; });
  var chart = window.echarts.init(el, null, { renderer: "svg" });
  // The tooltip is HTML: a unit's name (typed by an administrator) and an uploaded area code go in as text.
  var text = window.echarts.format.encodeHTML;
  chart.setOption({
    animation: false,
    tooltip: { formatter: function (p) {
      var a = byCode[p.name];
      return a ? text(a.name) + "<br>在办重大隐患 " + text(String(a.major_open)) + " 件" : text(p.name);
    } },
    series: [{
      type: "map", map: "duban-areas", roam: false, selectedMode: false,
      label: { show: true, formatter: function (p) { return byCode[p.name] ? byCode[p.name].name : p.name; } },
      data: data.areas.map(function (a) {
        return { name: a.org, value: a.major_open, itemStyle: { areaColor: COLOURS[a.colour] } };
      })
    }]
  });
  chart.on("click", function (p) {
    var q = new URLSearchParams({ metric: "hazards_open", org: drill.dataset.org, unit: p.name, grade: "重大" });
    window.location.href = drill.dataset.url + "?" + q.toString();
  });
  el.dataset.ready = "1";
  window.addEventListener("resize", function () { chart.resize(); });
})();
