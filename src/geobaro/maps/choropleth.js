/* The choropleth layer of geobaro (geobaro.maps.choropleth, read as a package resource).
 *
 * geobaroChoropleth(map, cfg) decodes the quantised TopoJSON of cfg.topology, draws the units
 * as one L.geoJSON layer with their styles (hatched statuses use SVG patterns), tooltips, the
 * title, the illustrative-data notice and the legend, outlines the marked units and the
 * highlighted one, and keeps the map fitted to what it shows (on load and whenever the frame changes size, until
 * the user zooms or drags). It returns the layer.
 * Every text in cfg is escaped by the server: it is set as HTML only where it is markup
 * built there (the legend), never from user input.
 */
function geobaroChoropleth(map, cfg) {
  "use strict";
  var topo = cfg.topology, styles = cfg.styles, F = cfg.fields;
  var uid = "gb" + Math.random().toString(36).slice(2, 10);
  var marked = {};
  (cfg.marked || []).forEach(function (code) { marked[code] = true; });

  /* The units as Leaflet rings: each arc's points become L.LatLng objects once, shared by
     the two units the arc separates (Leaflet keeps a LatLng it is given as it is). */
  function decode(topo) {
    var t = topo.transform, sx = t.scale[0], sy = t.scale[1], tx = t.translate[0],
      ty = t.translate[1], arcs = new Array(topo.arcs.length);
    for (var a = 0; a < topo.arcs.length; a++) {
      var arc = topo.arcs[a], x = 0, y = 0, pts = new Array(arc.length);
      for (var j = 0; j < arc.length; j++) {
        x += arc[j][0]; y += arc[j][1];
        pts[j] = L.latLng(y * sy + ty, x * sx + tx);
      }
      arcs[a] = pts;
    }
    function ring(ids) {
      var pts = [];
      for (var r = 0; r < ids.length; r++) {
        var i = ids[r], arc = arcs[i < 0 ? ~i : i], n = arc.length, k;
        // consecutive arcs share their end point: it is kept once
        if (i < 0) { for (k = n - 1 - (pts.length ? 1 : 0); k >= 0; k--) { pts.push(arc[k]); } }
        else { for (k = pts.length ? 1 : 0; k < n; k++) { pts.push(arc[k]); } }
      }
      return pts;
    }
    return topo.objects.units.geometries.map(function (g) {
      var rings = g.type === "Polygon" ? g.arcs.map(ring)
        : g.arcs.map(function (p) { return p.map(ring); });
      return {feature: {type: "Feature", properties: g.properties}, latlngs: rings};
    });
  }

  function style(f) {
    var s = L.extend({}, styles[f.properties.s]);
    if (s.pattern) { s.fillColor = "url(#" + uid + s.pattern + ") " + s.fillColor; }
    delete s.pattern;
    if (marked[f.properties.nis_code]) { L.extend(s, cfg.markedStyle); }
    if (cfg.highlight && f.properties.nis_code === cfg.highlight) {
      L.extend(s, cfg.highlightStyle);
    }
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

  // added to the map once the map is fitted: its paths are projected and drawn once, not at
  // the page's first zoom and again at the fitted one. One tooltip and one pair of hover
  // handlers serve every unit (the group passes each unit's events on).
  var layer = L.geoJSON(null, {style: style});
  decode(topo).forEach(function (u) {
    var l = L.polygon(u.latlngs);
    l.feature = u.feature;
    l.defaultOptions = l.options;  // as L.GeoJSON#addData does: resetStyle starts from them
    layer.resetStyle(l);
    layer.addLayer(l);
  });
  layer.bindTooltip(function (l) { return tip(l.feature.properties); }, {sticky: true});
  layer.on("mouseover", function (e) {
    (e.propagatedFrom || e.layer).setStyle({weight: 2, color: "#252525"});
  });
  layer.on("mouseout", function (e) { layer.resetStyle(e.propagatedFrom || e.layer); });

  var container = map.getContainer(), plain = document.createElement("div");
  // Leaflet focuses the map on mouse down (for the keyboard); a plain focus() scrolls the
  // page that holds the map's frame, so a click on a map partly below the fold made the page
  // jump and the click land elsewhere
  var focus = container.focus;
  container.focus = function (options) {
    focus.call(container, L.extend({preventScroll: true}, options));
  };
  container.style.background = "#ffffff";
  plain.innerHTML = cfg.title;  // escaped text: entities only, no markup
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", plain.textContent || "map");
  map.attributionControl.setPrefix("Leaflet");
  if (cfg.attribution) { map.attributionControl.addAttribution(cfg.attribution); }
  box("topright", "gb-title", cfg.title ? "<strong>" + cfg.title + "</strong>" : "");
  box("bottomright", "gb-legend-box", cfg.legend);
  var css = document.createElement("style");
  css.textContent = ".leaflet-control-attribution{font-size:9px;line-height:1.3;max-width:60%}" +
    ".leaflet-container.gb-narrow .leaflet-control-attribution{max-width:85%}";
  document.head.appendChild(css);
  // the frame's height as the page gives it (streamlit-folium sets it on the element)
  var baseHeight = container.style.height || cfg.height;
  var bar = noticeBar(cfg.notice);
  var target = L.latLngBounds([[cfg.fit[1], cfg.fit[0]], [cfg.fit[3], cfg.fit[2]]]);
  var fitting = false, userMoved = false, fittedSize = "";
  map.on("zoomstart dragstart", function () { if (!fitting) { userMoved = true; } });
  fit();
  layer.addTo(map);
  addPatterns();
  // marked outlines above their neighbours' thin white ones (the highlight above all)
  layer.eachLayer(function (l) {
    if (marked[l.feature.properties.nis_code]) { l.bringToFront(); }
  });
  var highlighted = highlight(cfg.highlight);
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      // the first call (on observe) and the fit's own resizing change nothing: no redraw
      if (container.clientWidth + "x" + container.clientHeight === fittedSize) { return; }
      if (userMoved) { map.invalidateSize({pan: false}); } else { fit(); }
    }).observe(container);
  }
  // the page's maps (for tests and embedding pages); maps no longer in the page are let go
  window.geobaroMaps = (window.geobaroMaps || []).filter(function (m) {
    return m.map.getContainer().isConnected;
  });
  window.geobaroMaps.push(
    {map: map, layer: layer, target: target, notice: bar, highlighted: highlighted});
  return layer;

  /* The illustrative-data notice: a bar right below the map, inside the frame; the map is
     made shorter by the bar's height, so the notice never covers a unit, whatever the view. */
  function noticeBar(notice) {
    if (!notice || !container.parentNode) { return null; }
    var d = document.createElement("div");
    d.className = "gb-notice";
    d.setAttribute("role", "note");
    d.style.cssText = "box-sizing:border-box;width:100%;padding:3px 8px;" +
      "font:12px/1.35 sans-serif;color:#b35806;background:#fff7ec;" +
      "border-top:1px solid #fdd49e;text-align:center";
    d.innerHTML = "<strong>" + notice + "</strong>";
    container.parentNode.insertBefore(d, container.nextSibling);
    return d;
  }

  function layoutBar() {
    if (!bar) { return; }
    // narrow frames (compare panels) get smaller type: fewer lines taken from the map
    var narrow = (bar.offsetWidth || container.clientWidth) < 420;
    bar.style.fontSize = narrow ? "10.5px" : "12px";
    bar.style.padding = narrow ? "2px 4px" : "3px 8px";
    var h = bar.offsetHeight + "px";
    if (bar.dataset.h !== h) {
      bar.dataset.h = h;
      container.style.height = "calc(" + baseHeight + " - " + h + ")";
    }
  }

  function highlight(code) {
    var found = null;
    if (!code) { return null; }
    layer.eachLayer(function (l) {
      if (l.feature.properties.nis_code === code) { found = l; }
    });
    if (found) { found.bringToFront(); }
    return found;
  }

  /* Fit the target bounds into the frame, clear of every control: each control box is kept
     out either beside or above/below the data, whichever leaves the larger zoom. */
  function fit() {
    var w = container.clientWidth, h = container.clientHeight;
    if (!w || !h) { return; }
    fitting = true;
    // a wide attribution takes fewer lines (less of the frame's height) in a narrow frame
    L.DomUtil[w < 420 ? "addClass" : "removeClass"](container, "gb-narrow");
    layoutBar();
    map.invalidateSize({pan: false});
    w = container.clientWidth; h = container.clientHeight;
    var boxes = controlBoxes(), best = null, n = boxes.length, M = cfg.margin;
    for (var mask = 0; mask < (1 << n); mask++) {
      var pad = {top: 0, left: 0, bottom: 0, right: 0};
      boxes.forEach(function (b, i) {
        if (mask & (1 << i)) { pad[b.x] = Math.max(pad[b.x], b.w); }
        else { pad[b.y] = Math.max(pad[b.y], b.h); }
      });
      var size = L.point(pad.left + pad.right + 2 * M, pad.top + pad.bottom + 2 * M);
      if (size.x >= w || size.y >= h) { continue; }
      var zoom = map.getBoundsZoom(target, false, size);
      var total = size.x + size.y;
      if (!best || zoom > best.zoom || (zoom === best.zoom && total < best.total)) {
        best = {zoom: zoom, total: total, pad: pad};
      }
    }
    var p = best ? best.pad : {top: 0, left: 0, bottom: 0, right: 0};
    map.fitBounds(target, {
      paddingTopLeft: [p.left + M, p.top + M],
      paddingBottomRight: [p.right + M, p.bottom + M],
      animate: false
    });
    fittedSize = container.clientWidth + "x" + container.clientHeight;
    fitting = false;
  }

  /* Every visible control as the space it takes from the frame's edges: w from its left or
     right edge, h from its top or bottom edge (x/y name those edges). */
  function controlBoxes() {
    var c = container.getBoundingClientRect(), out = [];
    container.querySelectorAll(".leaflet-control").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (!r.width || !r.height) { return; }
      var right = el.parentNode.classList.contains("leaflet-right");
      var bottom = el.parentNode.classList.contains("leaflet-bottom");
      out.push({
        x: right ? "right" : "left",
        y: bottom ? "bottom" : "top",
        w: right ? c.right - r.left : r.right - c.left,
        h: bottom ? c.bottom - r.top : r.bottom - c.top
      });
    });
    return out;
  }
}
