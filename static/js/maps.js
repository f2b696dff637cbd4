/* The portal's maps on Leaflet (static/vendor/leaflet-1.9.4): one place that reads a map's configuration
   from its element's data- attributes (no inline script: the CSP forbids it) and draws it.

   <div class="portal-map" data-map data-tile-url="" data-tile-attribution="" data-crs="wgs84"
        data-center="25.27,110.29" data-zoom="9" aria-label="..."></div>

   - data-tile-url: a raster tile template ({z}/{x}/{y}, {s} for subdomains: data-tile-subdomains). Empty
     (the default, and in tests, which have no internet): no tile layer at all; the grid boundaries and the
     points are drawn as vectors on a plain background.
   - data-crs: the coordinate system of the tiles (wgs84 or gcj02). The server sends every position
     already in that system (grids.geography converts at display time, the one tested function); the
     page scripts never convert coordinates themselves.
   Page scripts (static/<app>/*_map.js) call PortalMap.create(element) and draw their own layers. */
(function () {
  "use strict";

  var GUILIN = [25.27, 110.29];

  function parsePair(text, fallback) {
    if (!text) { return fallback; }
    var parts = text.split(",").map(Number);
    return parts.length === 2 && !isNaN(parts[0]) && !isNaN(parts[1]) ? parts : fallback;
  }

  function create(element, options) {
    options = options || {};
    var tileUrl = element.dataset.tileUrl || "";
    var map = window.L.map(element, {
      center: parsePair(element.dataset.center, GUILIN),
      zoom: Number(element.dataset.zoom || 9),
      // Without a tile layer nothing else sets them, and clustering needs a maximum zoom.
      minZoom: 4,
      maxZoom: 18,
      attributionControl: Boolean(tileUrl),
      scrollWheelZoom: options.scrollWheelZoom === true,
      tap: true,
      zoomSnap: 0.5
    });
    if (tileUrl) {
      var tiles = { attribution: element.dataset.tileAttribution || "", maxZoom: 18 };
      if (element.dataset.tileSubdomains) { tiles.subdomains = element.dataset.tileSubdomains.split(","); }
      window.L.tileLayer(tileUrl, tiles).addTo(map);
      map.attributionControl.setPrefix(false);
    } else {
      element.classList.add("portal-map-vector");
    }
    element.portalMap = map;
    return map;
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function fetchJSON(url) {
    return window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  // Grid boundaries (GeoJSON from /grids/<id>/map.geojson) as outlines; returns a promise of the layer.
  function boundaries(map, url, style) {
    return fetchJSON(url).then(function (geojson) {
      var layer = window.L.geoJSON(geojson, {
        style: style || function () {
          return { color: "#b91c1c", weight: 1.5, fillColor: "#fde68a", fillOpacity: 0.12 };
        },
        interactive: false
      }).addTo(map);
      return layer;
    });
  }

  // A round marker drawn by CSS (no image: nothing to fetch), 24 px so it is a fair target.
  function dot(latlng, className, options) {
    options = options || {};
    return window.L.marker(latlng, {
      icon: window.L.divIcon({ className: "map-dot " + (className || ""), iconSize: [24, 24], iconAnchor: [12, 12] }),
      keyboard: false,
      title: options.title || "",
      alt: options.title || ""
    });
  }

  function fitTo(map, latlngs, maxZoom) {
    if (!latlngs.length) { return; }
    map.fitBounds(window.L.latLngBounds(latlngs), { padding: [24, 24], maxZoom: maxZoom || 15 });
  }

  // A text node's worth of HTML: popups are built from strings, so every value is escaped.
  function escape(text) {
    return String(text === null || text === undefined ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  window.PortalMap = {
    create: create,
    readJSON: readJSON,
    fetchJSON: fetchJSON,
    boundaries: boundaries,
    dot: dot,
    fitTo: fitTo,
    escape: escape
  };
})();
