/* geobaro static site: the page's registry of the shared geometry and the maps' values.
 *
 * assets/geometry.js and data/values/*.js call GEOBARO.setGeometry / GEOBARO.add; the maps
 * (srcdoc frames of the same origin) read their topology from here, so the geometry is
 * loaded once per page and an indicator switch only loads a small values file. Works from
 * file:// (scripts, no fetch) and from any static host.
 */
(function () {
  "use strict";
  var G = window.GEOBARO = window.GEOBARO || {};
  G.values = G.values || {};
  G.byCode = {};
  G.own = {stem: "", table: ""};

  G.add = function (key, entry) { G.values[key] = entry; };

  G.setGeometry = function (topology, labels) {
    G.topo = topology;
    G.labels = labels;
    G.byCode = {};
  };

  function unitsOf(level) {
    var index = G.byCode[level];
    if (!index) {
      index = {};
      G.topo.objects[level].geometries.forEach(function (g) {
        index[g.properties.nis_code] = g;
      });
      G.byCode[level] = index;
    }
    return index;
  }

  /* The topology one map draws: its units' shapes with their values. */
  function topologyOf(key) {
    var v = G.values[key], index = unitsOf(v.level), names = G.labels[v.level] || {};
    var geometries = v.codes.map(function (code, i) {
      var g = index[code], name = names[code] || [code, ""];
      return {
        type: g.type,
        arcs: g.arcs,
        properties: {nis_code: code, name: name[0], region: name[1], label: v.label[i],
                     n: v.n[i], s: v.s[i]}
      };
    });
    return {
      type: "Topology", transform: G.topo.transform, arcs: G.topo.arcs,
      objects: {units: {type: "GeometryCollection", geometries: geometries}}
    };
  }

  /* The per-map part of a layer's configuration (see frame_document), as JSON text: the
   * frame parses it in its own realm. */
  G.config = function (key) {
    var v = G.values[key];
    return JSON.stringify({topology: topologyOf(key), styles: v.styles,
                           title: v.title, legend: v.legend});
  };

  function load(src, done) {
    var s = document.createElement("script");
    s.src = src;
    s.onload = done;
    s.onerror = function () {
      var box = document.getElementById("gb-status");
      if (box) { box.textContent = "Could not load " + src; }
    };
    document.head.appendChild(s);
  }

  /* Show another page's maps (same level, same frames) without reloading the geometry. */
  G.show = function (stem) {
    var page = G.values[stem];
    document.querySelectorAll("iframe.map[data-key]").forEach(function (f) {
      var old = f.getAttribute("data-key"), slot = old.slice(old.lastIndexOf("/"));
      var key = stem + slot, i = Number(slot.slice(1));
      f.title = (page.frames && page.frames[i]) || page.heading;
      if (old === key) { return; }
      f.srcdoc = f.srcdoc.split(JSON.stringify(old)).join(JSON.stringify(key));
      f.setAttribute("data-key", key);
    });
    document.title = page.heading;
    document.querySelector("h1").textContent = page.heading;
    Object.keys(page.parts).forEach(function (id) {
      var box = document.getElementById(id);
      if (!box) { return; }
      box.innerHTML = id === "gb-table" && stem === G.own.stem ? G.own.table : page.parts[id];
    });
    if (history.replaceState) { history.replaceState(null, "", "#" + stem); }
  };

  G.switchTo = function (stem) {
    var select = document.getElementById("gb-indicator");
    if (select) { select.value = stem; }
    if (G.values[stem]) { G.show(stem); return; }
    load(select.getAttribute("data-values") + stem + ".js", function () { G.show(stem); });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("gb-indicator");
    if (!select) { return; }
    var table = document.getElementById("gb-table");
    G.own = {stem: select.value, table: table ? table.innerHTML : ""};
    select.addEventListener("change", function () { G.switchTo(select.value); });
    var wanted = decodeURIComponent(location.hash.slice(1));
    var known = [].some.call(select.options, function (o) { return o.value === wanted; });
    if (wanted && known && wanted !== select.value) { G.switchTo(wanted); }
  });
})();
