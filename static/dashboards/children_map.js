/* The unit dashboard's map of its child units (templates/dashboards/_children_map.html, static/js/maps.js):
   each child's boundary shaded by the chosen figure of the dashboard's own table (five classes from the
   lightest to the darkest red; for the resolution rate a higher rate is lighter), a tap opens the child's
   dashboard with the same period. */
(function () {
  "use strict";
  var M = window.PortalMap;
  var SHADES = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  var NONE = "#e5e7eb";

  function classes(values) {
    var known = values.filter(function (v) { return v !== null && v !== undefined; });
    if (!known.length) { return null; }
    var low = Math.min.apply(null, known);
    var high = Math.max.apply(null, known);
    return { low: low, high: high };
  }

  function shade(value, range, inverted) {
    if (value === null || value === undefined || !range) { return NONE; }
    var share = range.high === range.low ? 1 : (value - range.low) / (range.high - range.low);
    if (inverted) { share = 1 - share; }
    return SHADES[Math.min(SHADES.length - 1, Math.floor(share * SHADES.length))];
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.querySelector("[data-children-map]");
    if (!element) { return; }
    var box = element.closest("[data-children-map-box]");
    var select = box.querySelector("[data-figure]");
    var scale = box.querySelector("[data-scale]");
    var figures = M.readJSON(element.dataset.figures) || {};
    var map = M.create(element);
    var layer = null;

    function figureOf(feature) {
      var row = figures[String(feature.id)];
      return row ? row[select.value] : null;
    }

    function restyle() {
      if (!layer) { return; }
      var values = Object.keys(figures).map(function (id) { return figures[id][select.value]; });
      var range = classes(values);
      var inverted = select.value === "resolution_rate";
      layer.setStyle(function (feature) {
        return { color: "#7f1d1d", weight: 1, fillOpacity: 0.75, fillColor: shade(figureOf(feature), range, inverted) };
      });
      layer.eachLayer(function (shape) {
        var value = figureOf(shape.feature);
        var text = shape.feature.properties.name + "：" + (value === null || value === undefined ? element.dataset.noValue : value + (select.value === "resolution_rate" ? "%" : ""));
        shape.unbindTooltip().bindTooltip(M.escape(text), { sticky: true });
      });
      var label = select.options[select.selectedIndex].text;
      scale.textContent = range ? label + "：" + range.low + (inverted ? "%" : "") + " – " + range.high + (inverted ? "%" : "") : "";
    }

    M.fetchJSON(element.dataset.geojsonUrl).then(function (geojson) {
      if (!geojson.features.length) {
        scale.textContent = element.dataset.noBoundary;
        element.hidden = true;
        return;
      }
      layer = window.L.geoJSON(geojson, {
        onEachFeature: function (feature, shape) {
          shape.on("click", function () {
            var row = figures[String(feature.id)];
            if (row && row.link) { window.location.href = row.link; }
          });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      restyle();
    }).catch(function () {
      scale.textContent = element.dataset.noBoundary;
    }).then(function () {
      element.dataset.ready = "1";
    });
    select.addEventListener("change", restyle);
  });
})();
