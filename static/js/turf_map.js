/* A turf's map: its households as circle markers coloured by their latest outcome, numbered as in the
   walk list, on a blank canvas (a tile layer only when the campaign named its own tile server).
   Data comes from json_script: {points: [[lat, lon, outcome, number, address]], colours, tiles}, with latitude
   and longitude in millionths of a degree (views_turfs.map_points). */
(function () {
  "use strict";
  var element = document.getElementById("turf-map");
  var source = document.getElementById("turf-map-data");
  if (!element || !source || typeof L === "undefined" || typeof GroundswellMaps === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  data.points.forEach(function (point) {
    point[0] /= 1e6;
    point[1] /= 1e6;
  });
  var asText = GroundswellMaps.asText;
  var map = GroundswellMaps.blankMap(element, data.tiles && data.tiles.url, data.tiles && data.tiles.attribution);
  var NOT_VISITED = "not_visited";  // selectors_turfs.NOT_VISITED
  var renderer = L.canvas({ padding: 0.5 });
  var bounds = L.latLngBounds([]);
  var route = [];
  data.points.forEach(function (point) { route.push(L.latLng(point[0], point[1])); });
  if (route.length > 1) {
    // The walking order as a faint line under the markers, so the route is visible at a glance.
    L.polyline(route, { renderer: renderer, color: "#0d6efd", weight: 1, opacity: 0.35 }).addTo(map);
  }
  // Doors not visited yet are drawn first, so a coloured (visited) marker is never hidden under a grey one.
  var drawOrder = data.points.slice().sort(function (a, b) {
    return (a[2] === NOT_VISITED ? 0 : 1) - (b[2] === NOT_VISITED ? 0 : 1);
  });
  drawOrder.forEach(function (point) {
    var latlng = L.latLng(point[0], point[1]);
    var marker = L.circleMarker(latlng, {
      renderer: renderer,
      radius: 6,
      weight: 1,
      color: "#212529",
      fillColor: data.colours[point[2]] || "#ffffff",
      fillOpacity: 0.95,
    }).addTo(map);
    marker.bindTooltip(asText(point[3] + ". " + point[4]));
    marker.on("click", function () {
      var rows = document.querySelectorAll(".walk-row");
      var row = rows[point[3] - 1];
      if (row) {
        row.scrollIntoView({ behavior: "smooth", block: "center" });
        row.classList.add("walk-row-hit");
        window.setTimeout(function () { row.classList.remove("walk-row-hit"); }, 1500);
      }
    });
    bounds.extend(latlng);
  });
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
  } else {
    map.setView([0, 0], 2);
  }
})();
