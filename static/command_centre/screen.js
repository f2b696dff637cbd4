/* The command-centre screen: poll the figures (ETag, 304 when nothing changed), draw them large.
   No inline script (CSP script-src 'self'); every label comes from the page (translated there). */
(function () {
  "use strict";

  var body = document.body;
  var url = body.getAttribute("data-url");
  var interval = Math.max(1, parseInt(body.getAttribute("data-interval"), 10) || 30) * 1000;
  var label = function (name) { return body.getAttribute("data-label-" + name) || ""; };
  var etag = null;
  var charts = {};
  var TEXT = "#e6edf7", MUTED = "#9fb3cf", GRID = "#1f3a66";
  var PALETTE = ["#4f9dff", "#ffd27a", "#7ee2a8", "#ff6b6b", "#c49bff", "#5fd3e8", "#ffa36b", "#e86bb0"];

  function get(data, path) {
    return path.split(".").reduce(function (value, key) { return value == null ? null : value[key]; }, data);
  }

  function format(value, unit) {
    if (value === null || value === undefined || value === "") { return "–"; }
    if (typeof value === "number") {
      var text = Math.abs(value) >= 10000 ? value.toLocaleString("zh-CN") : String(Math.round(value * 10) / 10);
      return unit ? text + unit : text;
    }
    return String(value);
  }

  function figures(data) {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var text = format(get(data, element.getAttribute("data-figure")), element.getAttribute("data-unit"));
      if (element.textContent !== text) {
        element.textContent = text;
        element.classList.remove("changed");
        void element.offsetWidth;  // restart the highlight
        element.classList.add("changed");
      }
    });
  }

  function chart(id) {
    if (!charts[id]) { charts[id] = window.echarts.init(document.getElementById(id), null, { renderer: "canvas" }); }
    return charts[id];
  }

  function axis(extra) {
    var base = {
      axisLabel: { color: TEXT, fontSize: 22 },
      axisLine: { lineStyle: { color: GRID } },
      splitLine: { lineStyle: { color: GRID } }
    };
    return Object.assign(base, extra);
  }

  function drawOverdue(rows) {
    var empty = document.getElementById("overdue-empty");
    var element = document.getElementById("overdue-chart");
    empty.hidden = rows.length > 0;
    element.hidden = rows.length === 0;
    if (!rows.length) { return; }
    chart("overdue-chart").setOption({
      animation: false,
      tooltip: { show: false },
      series: [{
        type: "treemap", roam: false, nodeClick: false, breadcrumb: { show: false },
        left: 0, right: 0, top: 0, bottom: 0,
        label: { show: true, fontSize: 28, color: "#fff", formatter: "{b}\n{c}", lineHeight: 36 },
        upperLabel: { show: false },
        itemStyle: { borderColor: "#07101f", borderWidth: 3, gapWidth: 3 },
        levels: [{ color: ["#5c1a2a", "#8f2032", "#c8161d", "#ff4d4f"], colorMappingBy: "value" }],
        data: rows.map(function (row) { return { name: row.name, value: row.value }; })
      }]
    }, true);
  }

  function drawTrend(trend) {
    chart("trend-chart").setOption({
      animation: false,
      color: PALETTE,
      legend: { top: 0, right: 0, textStyle: { color: TEXT, fontSize: 22 }, itemWidth: 30, itemHeight: 16 },
      grid: { left: 8, right: 36, top: 44, bottom: 4, containLabel: true },
      xAxis: axis({ type: "category", data: trend.months, boundaryGap: false }),
      yAxis: axis({ type: "value", minInterval: 1 }),
      series: [
        { name: label("logged"), type: "line", data: trend.logged, symbolSize: 10, lineStyle: { width: 4 } },
        { name: label("resolved"), type: "line", data: trend.resolved, symbolSize: 10, lineStyle: { width: 4 } }
      ]
    }, true);
  }

  function drawCategories(rows) {
    var shown = rows.slice(0, 6).reverse();
    chart("category-chart").setOption({
      animation: false,
      color: ["#4f9dff", "#41567a"],
      legend: { top: 0, right: 0, textStyle: { color: TEXT, fontSize: 22 }, itemWidth: 30, itemHeight: 16 },
      grid: { left: 8, right: 56, top: 40, bottom: 0, containLabel: true },
      xAxis: axis({ type: "value", minInterval: 1, axisLabel: { show: false }, splitLine: { show: false } }),
      yAxis: axis({ type: "category", data: shown.map(function (r) { return r.name; }), axisTick: { show: false } }),
      series: [
        { name: label("this-month"), type: "bar", barGap: "10%", barMaxWidth: 22,
          label: { show: true, position: "right", color: TEXT, fontSize: 22 },
          data: shown.map(function (r) { return r.this_month; }) },
        { name: label("last-month"), type: "bar", barMaxWidth: 22, data: shown.map(function (r) { return r.last_month; }) }
      ]
    }, true);
  }

  function drawResolved(rows) {
    var list = document.getElementById("resolved-list");
    list.replaceChildren();
    if (!rows.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = label("none");
      list.appendChild(none);
      return;
    }
    rows.forEach(function (row) {
      var item = document.createElement("li");
      var time = document.createElement("time");
      var category = document.createElement("b");
      var unit = document.createElement("span");
      time.textContent = row.at;
      category.textContent = row.category;
      unit.textContent = row.unit;
      item.append(time, category, unit);
      list.appendChild(item);
    });
  }

  // The rolling list: one line up every few seconds when it does not fit.
  function roll() {
    var list = document.getElementById("resolved-list");
    if (list.scrollHeight > list.parentElement.clientHeight + 4 && list.firstElementChild) {
      list.appendChild(list.firstElementChild);
    }
  }

  function render(data) {
    figures(data);
    drawOverdue(data.overdue_by_child || []);
    drawTrend(data.trend);
    drawCategories(data.categories || []);
    drawResolved(data.just_resolved || []);
    document.getElementById("as-of").textContent = (data.generated_at || "").replace("T", " ").slice(0, 19);
  }

  function state(text, stale) {
    var element = document.getElementById("state");
    element.textContent = text;
    element.classList.toggle("stale", !!stale);
  }

  var timer = null;

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, cache: "no-store", credentials: "omit" }).then(function (response) {
      if (response.status === 404) {
        clearInterval(timer);
        var gone = document.getElementById("gone");
        gone.textContent = label("gone");
        gone.hidden = false;
        return null;
      }
      if (response.status === 304) { state("●", false); return null; }
      if (!response.ok) { throw new Error(String(response.status)); }
      etag = response.headers.get("ETag");
      return response.json().then(function (data) { state("●", false); render(data); });
    }).catch(function () { state(label("offline"), true); });
  }

  function tick() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    document.getElementById("clock").textContent =
      now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) + " " +
      pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
  }

  function start() {
    if (!window.echarts) { return; }
    tick();
    setInterval(tick, 1000);
    setInterval(roll, 4000);
    poll();
    timer = setInterval(poll, interval);
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (id) { charts[id].resize(); });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
