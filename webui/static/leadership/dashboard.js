// 领导驾驶舱: draws each chart of the page's JSON block with ECharts; a click on a bar opens the cases
// behind it (/leadership/cases with the chart's metric, the bar's unit/month/stage and its series).
(function () {
  "use strict";
  var block = document.getElementById("dashboard-data");
  var drill = document.getElementById("drill");
  if (!block || !drill || !window.echarts) { return; }
  var data = JSON.parse(block.textContent);
  var COLORS = ["#c62828", "#ef6c00", "#f9a825", "#1565c0", "#2e7d32", "#6a1b9a"];

  function drillUrl(chart, index, series) {
    var q = new URLSearchParams({ metric: chart.key, org: drill.dataset.org, period: drill.dataset.period });
    var code = chart.category_codes[index];
    if (chart.category_param && code) {
      // a unit below the root narrows the list; the root's own (本级) keeps the whole subtree's root
      q.set(chart.category_param, code);
    }
    if (chart.series_param && series.code) { q.set(chart.series_param, series.code); }
    return drill.dataset.url + "?" + q.toString();
  }

  function option(chart, width) {
    var twoAxes = chart.series.some(function (s) { return s.axis === 1; });
    var laid = across(chart, width);
    var category = { type: "category", data: chart.categories, axisLabel: { interval: 0 }, inverse: laid };
    var values = twoAxes ? [{ type: "value", name: "件", minInterval: 1 }, { type: "value", name: "天" }]
                         : [{ type: "value", name: "件", minInterval: 1 }];
    return {
      color: COLORS,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: chart.series.map(function (s) { return s.name; }) },
      grid: { left: 8, right: 24, top: laid && twoAxes ? 56 : 36, bottom: 8, containLabel: true },
      xAxis: laid ? values.map(function (v, i) { return Object.assign({ position: i ? "top" : "bottom" }, v); }) : category,
      yAxis: laid ? category : values,
      series: chart.series.map(function (s) {
        return { name: s.name, type: s.line ? "line" : "bar", stack: chart.stack && !s.line ? "total" : undefined,
                 xAxisIndex: laid ? s.axis || 0 : 0, yAxisIndex: laid ? 0 : s.axis || 0, data: s.data,
                 label: { show: !s.line && !chart.stack, position: laid ? "right" : "top" },
                 emphasis: { focus: "series" }, cursor: s.nodrill ? "default" : "pointer" };
      })
    };
  }

  // Many categories, or names too long to sit side by side at this width (the 执法案件 chart's 14 环节 on
  // a phone): the bars are laid across, each name read whole on its own line, never turned or cut.
  function across(chart, width) {
    var chars = chart.categories.reduce(function (n, c) { return n + String(c).length; }, 0);
    return chart.categories.length > 6 || chars * 13 > width - 80;
  }

  data.charts.forEach(function (chart) {
    var el = document.querySelector('[data-chart="' + chart.key + '"]');
    if (!el) { return; }
    if (across(chart, el.clientWidth)) {  // a line per category: as tall as the names need
      el.style.height = Math.max(300, 30 * chart.categories.length + 90) + "px";
    }
    var instance = window.echarts.init(el, null, { renderer: "svg" });
    instance.setOption(option(chart, el.clientWidth));
    instance.on("click", function (params) {
      var series = chart.series[params.seriesIndex];
      if (!series || series.nodrill) { return; }
      window.location.href = drillUrl(chart, params.dataIndex, series);
    });
    el.dataset.ready = "1";
    window.addEventListener("resize", function () { instance.resize(); });
    window.addEventListener("beforeprint", function () { instance.resize({ width: 640 }); });
    window.addEventListener("afterprint", function () { instance.resize(); });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
