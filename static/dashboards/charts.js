/* Dashboards: draw each chart from the JSON beside it (no inline script: CSP script-src 'self'),
   and show only the period fields that apply. Every chart has its table under it, so nothing is lost
   without JavaScript. */
(function () {
  "use strict";

  function barOrLine(data) {
    var many = data.labels.length > 6;
    return {
      aria: { enabled: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: many ? 40 : 0, interval: 0, fontSize: 11 } },
      yAxis: { type: "value" },
      series: data.series.map(function (s) {
        return { name: s.name, type: data.type, data: s.data, smooth: data.type === "line", barMaxWidth: 48 };
      })
    };
  }

  function pie(data) {
    var values = data.series[0].data;
    return {
      aria: { enabled: true },
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        name: data.series[0].name,
        type: "pie",
        radius: ["35%", "62%"],
        center: ["50%", "45%"],
        data: data.labels.map(function (label, i) { return { name: label, value: values[i] }; })
      }]
    };
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(data.type === "pie" ? pie(data) : barOrLine(data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function periodFields(form) {
    var select = form.querySelector("select[name=period]");
    if (!select) { return; }
    var uses = {
      year: ["year"], quarter: ["year", "quarter"], month: ["year", "month"], custom: ["from", "to"], "": ["year"]
    };
    function update() {
      var shown = uses[select.value] || [];
      ["year", "quarter", "month", "from", "to"].forEach(function (name) {
        var label = form.querySelector('[data-field="' + name + '"]');
        if (label) { label.classList.toggle("hidden", shown.indexOf(name) < 0); }
      });
    }
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
    Array.prototype.forEach.call(document.querySelectorAll("[data-period-form]"), periodFields);
  });
})();
