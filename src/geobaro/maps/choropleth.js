/* The choropleth layer of geobaro (geobaro.maps.choropleth, read as a package resource).
 *
 * geobaroChoropleth(map, cfg) decodes the quantised TopoJSON of cfg.topology, draws the units
 * as one L.geoJSON layer with their styles (hatched statuses use SVG patterns), tooltips, the
 * title, the illustrative-data notice and the legend, and returns the layer.
 * Every text in cfg is escaped by the server: it is set as HTML only where it is markup
 * built there (the legend), never from user input.
 */
function geobaroChoropleth(map, cfg) {
  "use strict";
  var topo = cfg.topology, styles = cfg.styles, F = cfg.fields;
  var uid = "gb" + Math.random().toString(36).slice(2, 10);

  function decode(topo) {
    var t = topo.transform, arcs = [];
    topo.arcs.forEach(function (a) {
      var x = 0, y = 0, pts = [];
      a.forEach(function (p) {
        x += p[0]; y += p[1];
        pts.push([x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]]);
      });
      arcs.push(pts);
    });
    function ring(ids) {
      var pts = [];
      ids.forEach(function (i) {
        var a = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
        pts = pts.length ? pts.concat(a.slice(1)) : pts.concat(a);
      });
      return pts;
    }
    return topo.objects.units.geometries.map(function (g) {
      var c = g.type === "Polygon" ? g.arcs.map(ring)
        : g.arcs.map(function (p) { return p.map(ring); });
      return {type: "Feature", properties: g.properties,
              geometry: {type: g.type, coordinates: c}};
    });
  }

  function style(f) {
    var s = L.extend({}, styles[f.properties.s]);
    if (s.pattern) { s.fillColor = "url(#" + uid + s.pattern + ") " + s.fillColor; }
    delete s.pattern;
    return s;
  }

  function tip(p) {
    var h = "<strong>" + p.name + "</strong>";
    if (p.region) { h += "<br>" + F.region + ": " + p.region; }
    h += "<br>" + F.value + ": " + p.label;
    if (p.n !== null && p.n !== undefined) { h += "<br>" + F.n + ": " + p.n; }
    return h + "<br><small>" + F.code + " " + p.nis_code + "</small>";
  }

  function addPatterns() {
    var svg = map.getPanes().overlayPane.querySelector("svg");
    if (!svg) { return; }
    var NS = "http://www.w3.org/2000/svg", step = String(cfg.hatchStep);
    var defs = document.createElementNS(NS, "defs");
    cfg.patterns.forEach(function (d) {
      var p = document.createElementNS(NS, "pattern");
      p.setAttribute("id", uid + d.name);
      p.setAttribute("patternUnits", "userSpaceOnUse");
      p.setAttribute("width", step); p.setAttribute("height", step);
      var bg = document.createElementNS(NS, "rect");
      bg.setAttribute("width", step); bg.setAttribute("height", step);
      bg.setAttribute("fill", d.fill);
      p.appendChild(bg);
      d.lines.forEach(function (c) {
        var ln = document.createElementNS(NS, "line");
        ln.setAttribute("x1", c[0]); ln.setAttribute("y1", c[1]);
        ln.setAttribute("x2", c[2]); ln.setAttribute("y2", c[3]);
        ln.setAttribute("stroke", d.stroke); ln.setAttribute("stroke-width", "1");
        p.appendChild(ln);
      });
      defs.appendChild(p);
    });
    svg.insertBefore(defs, svg.firstChild);
  }

  function box(position, cls, content) {
    if (!content) { return null; }
    var c = L.control({position: position});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "gb-box " + cls);
      d.style.cssText = "background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;" +
        "font:12px/1.35 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:22em";
      d.innerHTML = content;
      L.DomEvent.disableClickPropagation(d);
      return d;
    };
    c.addTo(map);
    return c;
  }

  var layer = L.geoJSON({type: "FeatureCollection", features: decode(topo)}, {
    style: style,
    onEachFeature: function (f, l) {
      l.bindTooltip(tip(f.properties), {sticky: true});
      l.on("mouseover", function () { l.setStyle({weight: 2, color: "#252525"}); });
      l.on("mouseout", function () { layer.resetStyle(l); });
    }
  }).addTo(map);

  var container = map.getContainer(), plain = document.createElement("div");
  container.style.background = "#ffffff";
  plain.innerHTML = cfg.title;  // escaped text: entities only, no markup
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", plain.textContent || "map");
  addPatterns();
  map.attributionControl.setPrefix("Leaflet");
  if (cfg.attribution) { map.attributionControl.addAttribution(cfg.attribution); }
  box("topright", "gb-title", cfg.title ? "<strong>" + cfg.title + "</strong>" : "");
  box("topleft", "gb-notice",
    cfg.notice ? "<strong style='color:#b35806'>" + cfg.notice + "</strong>" : "");
  box("bottomright", "gb-legend-box", cfg.legend);
  var css = document.createElement("style");
  css.textContent = ".leaflet-control-attribution{font-size:9px;line-height:1.3;max-width:60%}";
  document.head.appendChild(css);
  return layer;
}
