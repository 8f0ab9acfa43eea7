/* The area page's map: the area's polygon and its households as circle markers on a blank canvas
   (a tile layer only when the campaign named its own tile server). Data comes from json_script. */
(function () {
  "use strict";
  var element = document.getElementById("area-map");
  var source = document.getElementById("area-map-data");
  if (!element || !source || typeof L === "undefined" || typeof GroundswellMaps === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var map = GroundswellMaps.blankMap(element, data.tiles, data.attribution);
  var bounds = L.latLngBounds([]);
  if (data.geometry) {
    var outline = L.geoJSON(data.geometry, {
      style: { color: "#0d6efd", weight: 2, fillColor: "#0d6efd", fillOpacity: 0.08 },
    }).addTo(map);
    bounds.extend(outline.getBounds());
  }
  var colours = { contacted: "#198754", not_home: "#ffc107", refused: "#dc3545", do_not_contact: "#6c757d" };
  var renderer = L.canvas({ padding: 0.5 });
  data.households.forEach(function (row) {
    var latlng = L.latLng(row[0], row[1]);
    L.circleMarker(latlng, {
      renderer: renderer,
      radius: 4,
      weight: 1,
      color: "#212529",
      fillColor: colours[row[2]] || "#ffffff",
      fillOpacity: 0.9,
    }).addTo(map);
    bounds.extend(latlng);
  });
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [12, 12] });
  } else {
    map.setView([0, 0], 2);
  }
})();
