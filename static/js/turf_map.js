/* A turf's map: its households as circle markers coloured by their latest outcome, numbered as in the
   walk list, on a blank canvas (a tile layer only when the campaign named its own tile server).
   Each located door in the walk list carries its position (data-lat, data-lon, in millionths of a degree);
   its number, address and outcome are the row's own. json_script adds {colours, tiles, others}: others are
   the located doors on the other pages of a long list, as [lat, lon, outcome, number, address]
   (views_turfs.map_points). */
(function () {
  "use strict";
  var element = document.getElementById("turf-map");
  var source = document.getElementById("turf-map-data");
  if (!element || !source || typeof L === "undefined" || typeof GroundswellMaps === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var asText = GroundswellMaps.asText;
  var map = GroundswellMaps.blankMap(element, data.tiles && data.tiles.url, data.tiles && data.tiles.attribution);
  var NOT_VISITED = "not_visited";  // selectors_turfs.NOT_VISITED
  var renderer = L.canvas({ padding: 0.5 });
  var bounds = L.latLngBounds([]);

  // [lat, lon, outcome, number, address, row or null], in walking order.
  var doors = [];
  document.querySelectorAll("#walk-list .walk-row[data-lat]").forEach(function (row) {
    doors.push([
      Number(row.dataset.lat) / 1e6,
      Number(row.dataset.lon) / 1e6,
      row.dataset.outcome,
      Number(row.querySelector(".walk-no").textContent),
      row.querySelector(".walk-address strong").textContent,
      row,
    ]);
  });
  (data.others || []).forEach(function (door) {
    doors.push([door[0] / 1e6, door[1] / 1e6, door[2], door[3], door[4], null]);
  });
  doors.sort(function (a, b) { return a[3] - b[3]; });

  var route = doors.map(function (door) { return L.latLng(door[0], door[1]); });
  if (route.length > 1) {
    // The walking order as a faint line under the markers, so the route is visible at a glance.
    L.polyline(route, { renderer: renderer, color: "#0d6efd", weight: 1, opacity: 0.35 }).addTo(map);
  }
  // Doors not visited yet are drawn first, so a coloured (visited) marker is never hidden under a grey one.
  var drawOrder = doors.slice().sort(function (a, b) {
    return (a[2] === NOT_VISITED ? 0 : 1) - (b[2] === NOT_VISITED ? 0 : 1);
  });
  drawOrder.forEach(function (door) {
    var latlng = L.latLng(door[0], door[1]);
    var marker = L.circleMarker(latlng, {
      renderer: renderer,
      radius: 6,
      weight: 1,
      color: "#212529",
      fillColor: data.colours[door[2]] || "#ffffff",
      fillOpacity: 0.95,
    }).addTo(map);
    marker.bindTooltip(asText(door[3] + ". " + door[4]));
    var row = door[5];
    if (row) {
      marker.on("click", function () {
        row.scrollIntoView({ behavior: "smooth", block: "center" });
        row.classList.add("walk-row-hit");
        window.setTimeout(function () { row.classList.remove("walk-row-hit"); }, 1500);
      });
    }
    bounds.extend(latlng);
  });
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
  } else {
    map.setView([0, 0], 2);
  }
})();
