/* geo-storymap page script: draws the story layers, the passage panel, search, legend
 * and export from one JSON blob. Article text is only ever written with textContent. */
function storyMap(map, data) {
  "use strict";
  var KIND_COLOURS = {
    country: "#1f4e9c", admin: "#17becf", city: "#d62728", region: "#9467bd",
    water: "#00a6d6", landform: "#8c564b", site: "#e377c2", continent: "#7f7f7f",
    corridor: "#ff7f0e"
  };
  var CORRIDOR_COLOURS = ["#e6550d", "#756bb1", "#31a354", "#3182bd", "#de2d26", "#636363"];
  var groups = { Places: L.featureGroup(), Corridors: L.featureGroup(), Conflicts: L.featureGroup() };
  var layerOf = { places: "Places", corridors: "Corridors", conflicts: "Conflicts" };
  var byKey = {};      // feature key -> {feature, layer (Leaflet), group name}
  var passageItems = {}; // feature key -> [li elements]

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Leaflet writes a string tooltip as HTML; an element keeps names as plain text.
  function textTip(text) { return el("span", null, text); }

  // A mention names its passage by index; the passage text is sent once, in data.articles.
  var passageOf = {};
  data.articles.forEach(function (article) {
    article.passages.forEach(function (p) { passageOf[article.id + "\u0000" + p.index] = p; });
  });

  function quote(mention) {
    var block = el("blockquote");
    var found = passageOf[mention.article + "\u0000" + mention.passage];
    var passage = found ? found.text : mention.text;
    var at = found ? mention.start - found.start : 0;
    var end = at + mention.text.length;
    if (at < 0 || end > passage.length || passage.slice(at, end) !== mention.text) {
      at = passage.indexOf(mention.text);
      end = at + mention.text.length;
    }
    if (at >= 0) {
      block.appendChild(document.createTextNode(passage.slice(0, at)));
      block.appendChild(el("mark", null, passage.slice(at, end)));
      block.appendChild(document.createTextNode(passage.slice(end)));
    } else {
      block.textContent = passage;
    }
    block.appendChild(el("cite", null, mention.article + " · characters " + mention.start + "–" + mention.end));
    return block;
  }

  function sources(props, box) {
    if (!props.sources || !props.sources.length) return;
    box.appendChild(el("strong", null, "Sources"));
    var list = el("ul");
    props.sources.forEach(function (source) {
      var item = el("li");
      var label = source.publication + (source.date ? " (" + source.date + ")" : "");
      if (source.url && /^https?:\/\//.test(source.url)) {
        var link = el("a", null, label);
        link.href = source.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        item.appendChild(link);
      } else {
        item.textContent = label;
      }
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function popupContent(layerName, props) {
    var box = el("div", "story-popup");
    box.appendChild(el("h3", null, props.name));
    var meta;
    if (layerName === "places") {
      meta = props.kind + (props.country_code ? " · " + props.country_code : "") +
        " · " + props.mention_count + (props.mention_count === 1 ? " mention" : " mentions");
    } else if (layerName === "corridors") {
      meta = "corridor · " + props.length_km + " km";
    } else {
      meta = "conflict · " + (props.start_date || "?") + " – " + (props.end_date || "ongoing") +
        (props.area_km2 ? " · " + props.area_km2 + " km²" : "");
    }
    box.appendChild(el("p", "meta", meta));
    if (props.approximate) box.appendChild(el("p", "meta", "Approximate area: the shape is indicative only."));
    if (props.description) box.appendChild(el("p", null, props.description));
    if (props.waypoints && props.waypoints.length) {
      box.appendChild(el("p", null, "Route: " + props.waypoints.map(function (w) { return w.name; }).join(" → ")));
    }
    if (props.legs && props.legs.some(function (l) { return l.mode === "sea"; })) {
      box.appendChild(el("p", "meta", "Dashed legs are by sea."));
    }
    sources(props, box);
    var mentions = props.mentions || [];
    if (mentions.length) {
      box.appendChild(el("strong", null, mentions.length === 1 ? "Passage" : "Passages (" + mentions.length + ")"));
      mentions.slice(0, 50).forEach(function (m) { box.appendChild(quote(m)); });
      if (mentions.length > 50) box.appendChild(el("p", "meta", "… and " + (mentions.length - 50) + " more"));
    } else if (layerName !== "places") {
      box.appendChild(el("p", "meta", "Not named in these articles."));
    }
    return box;
  }

  function register(layerName, feature, leafletLayer) {
    var key = feature.properties._key;
    leafletLayer.bindPopup(function () { return popupContent(layerName, feature.properties); }, { maxWidth: 340 });
    leafletLayer.on("click", function () { highlightPassages(key); });
    byKey[key] = { feature: feature, layer: leafletLayer, group: layerOf[layerName] };
    groups[layerOf[layerName]].addLayer(leafletLayer);
  }

  // Places: circle markers sized by mentions, coloured by kind.
  (data.layers.places.features || []).forEach(function (feature) {
    var p = feature.properties, c = feature.geometry.coordinates;
    var marker = L.circleMarker([c[1], c[0]], {
      radius: Math.min(22, 4 + 2.5 * Math.sqrt(p.mention_count || 1)),
      color: "#ffffff", weight: 1.5, fillColor: KIND_COLOURS[p.kind] || "#333", fillOpacity: 0.85
    });
    marker.bindTooltip(textTip(p.name), { direction: "top" });
    register("places", feature, marker);
  });

  // Corridors: one line per leg, dashed at sea, arrows for direction.
  (data.layers.corridors.features || []).forEach(function (feature, index) {
    var colour = CORRIDOR_COLOURS[index % CORRIDOR_COLOURS.length];
    var legs = feature.properties.legs || [];
    var parts = feature.geometry.type === "MultiLineString" ? feature.geometry.coordinates : [feature.geometry.coordinates];
    var group = L.featureGroup();
    parts.forEach(function (part, i) {
      var latlngs = part.map(function (c) { return [c[1], c[0]]; });
      var sea = legs[i] && legs[i].mode === "sea";
      group.addLayer(L.polyline(latlngs, { color: colour, weight: 4, opacity: 0.9, dashArray: sea ? "8 8" : null }));
      if (latlngs.length >= 2) {
        var i0 = Math.floor((latlngs.length - 1) / 2), from = latlngs[i0], to = latlngs[i0 + 1];
        var dx = (to[1] - from[1]) * Math.cos(from[0] * Math.PI / 180), dy = to[0] - from[0];
        var angle = Math.atan2(-dy, dx) * 180 / Math.PI;
        group.addLayer(L.marker([(from[0] + to[0]) / 2, (from[1] + to[1]) / 2], {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: "story-arrow", iconSize: [16, 16],
            html: '<div style="transform:rotate(' + angle.toFixed(1) + 'deg);color:' + colour + '">➤</div>' })
        }));
      }
    });
    group.bindTooltip(textTip(feature.properties.name), { sticky: true });
    register("corridors", feature, group);
  });

  // Conflicts: areas, dashed outline when approximate.
  (data.layers.conflicts.features || []).forEach(function (feature) {
    var area = L.geoJSON(feature, { style: { color: "#b2182b", weight: 2, fillColor: "#ef8a62", fillOpacity: 0.3,
      dashArray: feature.properties.approximate ? "4 4" : null } });
    area.bindTooltip(textTip(feature.properties.name), { sticky: true });
    register("conflicts", feature, area);
  });

  Object.keys(groups).forEach(function (name) { groups[name].addTo(map); });
  L.control.layers(null, groups, { collapsed: false, position: "topright" }).addTo(map);
  if (data.attribution) map.attributionControl.addAttribution(data.attribution);

  // Legend.
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var box = el("div", "story-legend");
    box.appendChild(el("strong", null, "Legend"));
    Object.keys(KIND_COLOURS).forEach(function (kind) {
      var row = el("div"), dot = el("i");
      dot.style.background = KIND_COLOURS[kind];
      row.appendChild(dot); row.appendChild(document.createTextNode(kind));
      box.appendChild(row);
    });
    var line = el("div"), swatch = el("i", "line");
    swatch.style.borderColor = CORRIDOR_COLOURS[0];
    line.appendChild(swatch); line.appendChild(document.createTextNode("corridor (dashed: sea)"));
    box.appendChild(line);
    var zone = el("div"), fill = el("i", "area");
    fill.style.background = "#ef8a62";
    zone.appendChild(fill); zone.appendChild(document.createTextNode("conflict zone"));
    box.appendChild(zone);
    return box;
  };
  legend.addTo(map);

  // Export the visible layers as one GeoJSON FeatureCollection, made here in the browser.
  function visibleFeatures() {
    var features = [];
    ["places", "corridors", "conflicts"].forEach(function (layerName) {
      if (!map.hasLayer(groups[layerOf[layerName]])) return;
      (data.layers[layerName].features || []).forEach(function (feature) {
        var props = {};
        Object.keys(feature.properties).forEach(function (k) { if (k !== "_key") props[k] = feature.properties[k]; });
        props.layer = layerName;
        features.push({ type: "Feature", properties: props, geometry: feature.geometry });
      });
    });
    return { type: "FeatureCollection", features: features };
  }
  var exporter = L.control({ position: "topright" });
  exporter.onAdd = function () {
    var box = el("div", "story-export");
    var button = el("button", null, "Export GeoJSON");
    button.type = "button";
    button.title = "Download the visible layers as one GeoJSON file";
    L.DomEvent.disableClickPropagation(box);
    button.addEventListener("click", function () {
      var blob = new Blob([JSON.stringify(visibleFeatures(), null, 1)], { type: "application/geo+json" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "storymap.geojson";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    });
    box.appendChild(button);
    return box;
  };
  exporter.addTo(map);
  window.storymapExport = visibleFeatures;

  // Story panel: passages in reading order; selecting one flies to its places.
  function select(key, open) {
    var item = byKey[key];
    if (!item) return;
    if (!map.hasLayer(groups[item.group])) groups[item.group].addTo(map);
    var layer = item.layer;
    if (layer.getLatLng) {
      map.flyTo(layer.getLatLng(), Math.max(map.getZoom(), 6), { duration: 0.6 });
    } else if (layer.getBounds) {
      map.flyToBounds(layer.getBounds(), { padding: [30, 30], duration: 0.6, maxZoom: 8 });
    }
    if (open) {
      map.once("moveend", function () { layer.openPopup(layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter()); });
    }
    highlightPassages(key);
  }

  function highlightPassages(key) {
    var previous = document.querySelectorAll(".story-passage.is-highlighted");
    for (var i = 0; i < previous.length; i++) previous[i].classList.remove("is-highlighted");
    var items = passageItems[key] || [];
    items.forEach(function (li) { li.classList.add("is-highlighted"); });
    if (items.length && items[0].scrollIntoView) items[0].scrollIntoView({ block: "nearest" });
  }

  document.getElementById("story-title").textContent = data.title || "";
  var container = document.getElementById("story-articles");
  var fragment = document.createDocumentFragment();
  data.articles.forEach(function (article) {
    if (!article.passages.length) return;
    fragment.appendChild(el("h2", null, article.id));
    var list = el("ol");
    article.passages.forEach(function (passage) {
      var li = el("li", "story-passage");
      li.tabIndex = 0;
      li.setAttribute("role", "button");
      li.dataset.article = article.id;
      li.dataset.start = passage.start;
      var cursor = 0;
      passage.refs.forEach(function (ref) {
        if (ref.start < cursor) return;
        li.appendChild(document.createTextNode(passage.text.slice(cursor, ref.start)));
        li.appendChild(el("mark", null, passage.text.slice(ref.start, ref.end)));
        cursor = ref.end;
        (passageItems[ref.key] = passageItems[ref.key] || []).push(li);
      });
      li.appendChild(document.createTextNode(passage.text.slice(cursor)));
      var keys = passage.refs.map(function (r) { return r.key; });
      li.setAttribute("aria-label", "Show on map: " + passage.text.slice(0, 80));
      function activate() { select(keys[0], true); }
      li.addEventListener("click", activate);
      li.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); activate(); }
      });
      list.appendChild(li);
    });
    fragment.appendChild(list);
  });
  container.appendChild(fragment);

  // Search: type a place name, Enter flies there.
  var input = document.getElementById("story-search"), results = document.getElementById("story-results");
  // A place is found by its gazetteer name, its aliases and every spelling the articles
  // use ("Nakhchivan" finds Naxçıvan), with case and accents folded.
  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ı/g, "i").toLowerCase();
  }
  var names = Object.keys(byKey).map(function (key) {
    var props = byKey[key].feature.properties;
    var spellings = [props.name].concat(props.aliases || [], (props.mentions || []).map(function (m) { return m.text; }));
    return { key: key, name: props.name, terms: spellings.map(fold) };
  });
  var active = -1;
  function renderResults() {
    var query = fold(input.value.trim());
    results.textContent = "";
    active = -1;
    if (!query) return;
    names.filter(function (n) {
      return n.terms.some(function (term) { return term.indexOf(query) !== -1; });
    }).slice(0, 12).forEach(function (n) {
      var li = el("li", null, n.name);
      li.setAttribute("role", "option");
      li.dataset.key = n.key;
      li.addEventListener("click", function () { select(n.key, true); });
      results.appendChild(li);
    });
  }
  input.addEventListener("input", renderResults);
  input.addEventListener("keydown", function (event) {
    var options = results.querySelectorAll("li");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!options.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
      for (var i = 0; i < options.length; i++) options[i].setAttribute("aria-selected", i === active ? "true" : "false");
    } else if (event.key === "Enter" && options.length) {
      select(options[Math.max(active, 0)].dataset.key, true);
    }
  });

  // Panel toggle (collapses on narrow screens to give the map room).
  var toggle = document.getElementById("story-toggle");
  document.body.classList.add("story-with-panel");
  function setPanel(open) {
    document.body.classList.toggle("story-collapsed", !open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    setTimeout(function () { map.invalidateSize(); }, 0);
  }
  toggle.addEventListener("click", function () { setPanel(document.body.classList.contains("story-collapsed")); });
  window.storymap = { map: map, groups: groups, select: select, byKey: byKey };
}
