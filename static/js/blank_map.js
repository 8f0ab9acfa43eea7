/* What the area and turf maps share: a Leaflet map on a blank canvas, with a tile layer only when the
   campaign named its own tile server, and text that Leaflet would otherwise write as HTML. */
(function () {
  "use strict";
  // Leaflet writes tooltips and the tile credit as HTML: an address from an imported file or the credit
  // typed in the settings must show as text, never run in the session of whoever opens the map.
  function asText(value) {
    var holder = document.createElement("div");
    holder.textContent = value == null ? "" : String(value);
    return holder.innerHTML;
  }
  function blankMap(element, tileUrl, tileCredit) {
    var map = L.map(element, { attributionControl: false, preferCanvas: true, zoomSnap: 0.25 });
    if (tileUrl) {
      L.control.attribution({ prefix: false }).addTo(map);
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: asText(tileCredit) }).addTo(map);
    }
    return map;
  }
  window.GroundswellMaps = { asText: asText, blankMap: blankMap };
})();
