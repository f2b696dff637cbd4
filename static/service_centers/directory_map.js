/* The public directory's map (static/js/maps.js): this page's points with their hours and navigation
   links, and "near me": with the visitor's consent the browser's position reloads the list sorted by
   distance (?near=lat,lng, rounded to about 10 m; the position is sent nowhere else). */
(function () {
  "use strict";
  var M = window.PortalMap;

  function popup(point) {
    var html = '<div class="map-popup"><h3><a href="' + M.escape(point.url) + '">' + M.escape(point.name) + "</a></h3>";
    html += "<p>" + M.escape(point.kind) + (point.distance ? " · " + M.escape(point.distance) : "") + "</p>";
    if (point.hours) { html += "<p>" + M.escape(point.hours) + "</p>"; }
    if (point.address) { html += "<p>" + M.escape(point.address) + "</p>"; }
    if (point.nav.length) {
      html += '<p class="nav-links">';
      point.nav.forEach(function (link) {
        html += '<a href="' + M.escape(link.url) + '" target="_blank" rel="noopener">' + M.escape(link.label) + "</a>";
      });
      html += "</p>";
    }
    return html + "</div>";
  }

  function nearMe(button, status) {
    if (!("geolocation" in navigator)) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.asking || "";
      navigator.geolocation.getCurrentPosition(function (position) {
        var params = new URLSearchParams(window.location.search);
        params.delete("page");
        params.set("near", position.coords.latitude.toFixed(4) + "," + position.coords.longitude.toFixed(4));
        window.location.search = params.toString();
      }, function () {
        status.textContent = button.dataset.refused || "";
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-near-me]");
    var status = document.querySelector("[data-map-status]");
    if (button && status) { nearMe(button, status); }
    var element = document.querySelector("[data-directory-map]");
    if (!element) { return; }
    var map = M.create(element);
    var points = M.readJSON(element.dataset.markers) || [];
    var latlngs = [];
    points.forEach(function (point) {
      M.dot(point.at, "", { title: point.name }).bindPopup(popup(point)).addTo(map);
      latlngs.push(point.at);
    });
    M.fitTo(map, latlngs, 15);
  });
})();
