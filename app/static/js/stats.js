// Draws one Apache ECharts bar chart per statistics table from the JSON the page embeds (no inline script: CSP).
(function () {
  const payload = JSON.parse(document.getElementById("stats-charts").textContent);
  document.querySelectorAll(".stats-chart").forEach(function (el) {
    const data = payload[el.dataset.chart];
    if (!data || !data.labels.length || !window.echarts) { el.remove(); return; }
    const chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 40, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; }),
    });
    el.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
