/* The issue form's location map (templates/issues/_location_map.html, static/js/maps.js).

   - "Use my location": the browser's GPS with the worker's consent; its accuracy is shown and drawn.
   - A tap on the map places the pin, a second tap moves it.
   Either way the point goes to the locate endpoint (grids:locate, with the map's crs): it answers the
   WGS-84 position, which fills the hidden latitude/longitude fields as is, and the micro-grid of the
   worker's jurisdiction that contains it, which is selected in the form's unit field. The page never
   converts coordinates itself. */
(function () {
  "use strict";
  var M = window.PortalMap;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }

  function selectUnit(form, unit) {
    var field = form.querySelector("[name=unit]");
    if (!field) { return false; }
    var wanted = field.tagName === "SELECT" ? String(unit.id) : unit.code;
    if (field.tagName === "SELECT" && !field.querySelector('option[value="' + wanted + '"]')) { return false; }
    if (field.value !== wanted) {
      field.value = wanted;
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    return true;
  }

  function start(box) {
    var form = box.closest("form");
    var element = box.querySelector("[data-location-map]");
    var status = box.querySelector("[data-location-status]");
    var fields = {
      lat: form.querySelector("[name=latitude]"),
      lng: form.querySelector("[name=longitude]"),
      accuracy: form.querySelector("[name=location_accuracy]")
    };
    var map = M.create(element);
    var pin = null;
    var circle = null;
    var asked = 0;

    function place(at, accuracy) {
      if (pin) { pin.setLatLng(at); } else { pin = M.dot(at, "map-pin", { title: "" }).addTo(map); }
      if (circle) { map.removeLayer(circle); circle = null; }
      if (accuracy) {
        circle = window.L.circle(at, { radius: accuracy, color: "#2563eb", weight: 1, fillOpacity: 0.08, interactive: false }).addTo(map);
      }
    }

    function locate(at, crs, accuracy) {
      var ask = ++asked;
      var url = box.dataset.locateUrl + "?lat=" + at[0].toFixed(6) + "&lng=" + at[1].toFixed(6) + "&crs=" + encodeURIComponent(crs);
      return M.fetchJSON(url).then(function (data) {
        if (ask !== asked) { return; }  // a later tap won
        box.dataset.display = data.display ? data.display.join(",") : "";
        if (fields.lat) { fields.lat.value = data.latitude; }
        if (fields.lng) { fields.lng.value = data.longitude; }
        if (fields.accuracy) { fields.accuracy.value = accuracy ? Math.round(accuracy) : ""; }
        var text = accuracy ? format(box.dataset.accuracy, { m: Math.round(accuracy) }) + " · " : "";
        if (data.micro_grid) {
          var listed = selectUnit(form, data.micro_grid);
          text += format(listed ? box.dataset.suggested : box.dataset.notListed, { name: data.micro_grid.name });
          box.dataset.microGrid = data.micro_grid.id;
        } else {
          text += data.error || "";
          box.dataset.microGrid = "";
        }
        status.textContent = text;
        status.classList.toggle("error", !data.micro_grid);
      }).catch(function () {
        if (ask === asked) { status.textContent = box.dataset.failed; }
      });
    }

    map.on("click", function (event) {
      var at = [event.latlng.lat, event.latlng.lng];
      place(at, null);
      locate(at, element.dataset.crs || "wgs84", null);
    });

    var gps = box.querySelector("[data-use-gps]");
    if (gps && "geolocation" in navigator) {
      gps.hidden = false;
      gps.addEventListener("click", function () {
        status.textContent = box.dataset.asking;
        navigator.geolocation.getCurrentPosition(function (position) {
          var coords = position.coords;
          var at = [coords.latitude, coords.longitude];  // the browser's position is WGS-84
          locate(at, "wgs84", coords.accuracy).then(function () {
            // Drawn where the server says it lies on these tiles (their system may differ from WGS-84).
            var shown = box.dataset.display ? box.dataset.display.split(",").map(Number) : at;
            place(shown, coords.accuracy);
            map.setView(shown, Math.max(map.getZoom(), 16));
          });
        }, function () {
          status.textContent = box.dataset.refused;
        }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
      });
    }

    // The worker's own grids, drawn as outlines with their children inside.
    var units = M.readJSON(box.dataset.units) || [];
    var drawn = units.map(function (unit) {
      var base = box.dataset.geojsonUrl.replace(/\/0\/map\.geojson$/, "/" + unit.id + "/map.geojson");
      var children = M.boundaries(map, base + "?level=" + Math.min(unit.level + 1, 7) + "&zoom=15", function () {
        return { color: "#b45309", weight: 1, fillOpacity: 0.04 };
      }).catch(function () { return null; });
      var outline = M.boundaries(map, base + "?level=" + unit.level + "&zoom=15", function () {
        return { color: "#b91c1c", weight: 2.5, fillOpacity: 0 };
      }).catch(function () { return null; });
      return Promise.all([children, outline]).then(function (layers) { return layers[1]; });
    });
    var existing = element.dataset.pin ? element.dataset.pin.split(",").map(Number) : null;
    if (existing) { place(existing, null); }
    Promise.all(drawn).then(function (outlines) {
      if (existing) {
        map.setView(existing, 16, { animate: false });
        box.dataset.ready = "1";
        return;
      }
      var bounds = null;
      outlines.forEach(function (layer) {
        if (layer && layer.getLayers().length) {
          bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
        }
      });
      if (bounds) { map.fitBounds(bounds, { padding: [12, 12], animate: false }); }
      box.dataset.ready = "1";  // drawn and in place: a tap lands where it is aimed
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-location-picker]").forEach(start);
  });
})();
