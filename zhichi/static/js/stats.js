/*
 * The dashboard's charts (Apache ECharts, vendored). The figures come from the page itself
 * (json_script "zc-chart-data"); each bar opens the records it counts. [data-print] prints the
 * period report. SVG renderer and
 * plain-text tooltips: nothing here needs an inline style attribute, which the CSP refuses.
 */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("zc-chart-data");
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var money = new Intl.NumberFormat(document.documentElement.lang || "zh-CN", {
      maximumFractionDigits: 0,
    });
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = data[el.getAttribute("data-chart")];
      if (!chart) {
        return;
      }
      var instance = window.echarts.init(el, null, { renderer: "svg" });
      instance.setOption({
        animation: false,
        color: ["#1d3f72", "#146c43"],
        grid: { left: 48, right: 72, top: 36, bottom: 64 },
        legend: { top: 0, data: [chart.names.cases, chart.names.recovered] },
        tooltip: { trigger: "axis", renderMode: "richText" },
        xAxis: {
          type: "category",
          data: chart.labels,
          axisLabel: { interval: 0, rotate: chart.labels.length > 6 ? 30 : 0 },
        },
        yAxis: [
          { type: "value", name: chart.names.cases, minInterval: 1 },
          {
            type: "value",
            name: chart.names.recovered,
            axisLabel: { formatter: function (v) { return money.format(v); } },
          },
        ],
        series: [
          { name: chart.names.cases, type: "bar", data: chart.cases, cursor: "pointer" },
          {
            name: chart.names.recovered,
            type: chart.by === "month" ? "line" : "bar",
            yAxisIndex: 1,
            data: chart.recovered,
            cursor: "pointer",
          },
        ],
      });
      instance.on("click", function (params) {
        var urls = params.seriesIndex === 0 ? chart.cases_urls : chart.recovered_urls;
        if (urls[params.dataIndex]) {
          window.location.assign(urls[params.dataIndex]);
        }
      });
      el.setAttribute("data-chart-ready", "true");
      window.addEventListener("resize", function () { instance.resize(); });
    });
  }

  function enhance() {
    draw();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
