/* The unit issue list's map (templates/dashboards/_issue_map.html, static/js/maps.js): the located issues
   of the same filtered list (dashboards:issues_map_points with this page's query string), clustered;
   a dot's colour is its status, red when overdue; a cluster is red when it holds an overdue issue, green
   when all it holds is resolved or closed. The unit's children are outlined. */
(function () {
  "use strict";
  var M = window.PortalMap;
  var DONE = { resolved: true, closed: true, rejected: true };

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }

  function popup(point) {
    return '<div class="map-popup"><h3><a href="' + M.escape(point.url) + '">#' + Number(point.id) + "</a> " +
      M.escape(point.status_label) + (point.overdue ? " · <strong>" + M.escape(popup.overdueLabel) + "</strong>" : "") +
      "</h3><p>" + M.escape(point.category) + "</p><p>" + M.escape(point.unit) + " · " + M.escape(point.created_at) + "</p></div>";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.querySelector("[data-issue-list-map]");
    if (!element) { return; }
    var note = document.querySelector("[data-map-note]");
    popup.overdueLabel = element.dataset.overdueLabel;
    var map = M.create(element);
    var clusters = window.L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      iconCreateFunction: function (cluster) {
        var markers = cluster.getAllChildMarkers();
        var overdue = markers.some(function (m) { return m.options.point.overdue; });
        var done = markers.every(function (m) { return DONE[m.options.point.status]; });
        var n = cluster.getChildCount();
        return window.L.divIcon({
          html: "<span>" + n + "</span>",
          className: "map-cluster" + (overdue ? " has-overdue" : done ? " all-done" : ""),
          iconSize: [40, 40]
        });
      }
    });
    var outline = M.boundaries(map, element.dataset.geojsonUrl, function () {
      return { color: "#6b7280", weight: 1, fillOpacity: 0.03 };
    }).catch(function () { return null; });
    var points = M.fetchJSON(element.dataset.pointsUrl).then(function (data) {
      var latlngs = [];
      data.points.forEach(function (point) {
        if (!point.at) { return; }
        var marker = M.dot(point.at, "status-" + point.status, { title: "#" + point.id });
        marker.options.point = point;
        marker.bindPopup(popup(point));
        clusters.addLayer(marker);
        latlngs.push(point.at);
      });
      map.addLayer(clusters);
      if (note) {
        note.textContent = data.capped ? format(note.dataset.capped, { cap: data.cap }) : format(note.dataset.count, { n: latlngs.length });
      }
      return latlngs;
    });
    Promise.all([outline, points]).then(function (results) {
      var layer = results[0];
      var latlngs = results[1];
      if (latlngs.length) { M.fitTo(map, latlngs, 16); } else if (layer && layer.getLayers().length) { map.fitBounds(layer.getBounds()); }
      element.dataset.ready = "1";
    }).catch(function (error) {
      element.dataset.ready = "error";
      window.console.error("issue map: " + error);
    });
  });
})();
