/* geo-storymap page script: draws the offline base map, the story layers, the panel with
 * its chapters, the timeline, search, legend and export from JSON data, and keeps the URL
 * hash in step with the reader. Article text is only ever written with textContent. */
function storyMap(map, data) {
  "use strict";
  var KIND_COLOURS = {
    country: "#1f4e9c", admin: "#2ca02c", city: "#d62728", region: "#9467bd",
    water: "#00a6d6", landform: "#8c564b", site: "#e377c2", continent: "#7f7f7f",
    corridor: "#ff7f0e"
  };
  var CORRIDOR_COLOURS = ["#e6550d", "#756bb1", "#31a354", "#3182bd", "#de2d26", "#636363"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var LABEL_SIDES = ["right", "left", "above", "below"]; // where a place's name may go
  var LABEL_LIMIT = 40;          // place names written on the map at once, most mentioned first
  var OVERLAP = 0.8;             // markers closer than this share of their radii merge
  var DIM = { fillOpacity: 0.18, opacity: 0.25 };
  // An uncertain place (score below data.confidence.low, flagged _uncertain by the build)
  // is a hollow ring in its kind's colour: still there to click, visibly not a sure thing.
  var HOLLOW = { fillColor: "#ffffff", fillOpacity: 0.2, weight: 2.5 };
  var CONFIDENCE = data.confidence || { low: 0.5, high: 0.9 };
  // A country's or a region's point is only roughly where things happen: drawn smaller, and
  // a city wins the spot when the two overlap (click at Baku, get Baku, not Azerbaijan).
  var KIND_WEIGHTS = { country: 0.25, region: 0.5, continent: 0.1, corridor: 0.25 };
  function kindWeight(kind) { return KIND_WEIGHTS[kind] === undefined ? 1 : KIND_WEIGHTS[kind]; }
  // How often the articles name a place (demonyms add passages, not size); at least 1.
  function namedCount(props) {
    return (props.name_count != null ? props.name_count : props.mention_count) || 1;
  }
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  // Leaflet writes a string tooltip as HTML; an element keeps names as plain text.
  function textTip(text) { return el("span", null, text); }

  // -- panes: base map under everything, places above routes above zones, labels on top ----
  // The story layers share one canvas (overlayPane): a canvas takes every click in its pane,
  // so routes in a lower pane could never be clicked. Draw order inside it is kept as
  // zones < routes < places (restack), and the canvas hit test picks the topmost.
  function pane(name, z, passive) {
    var node = map.createPane(name);
    node.style.zIndex = z;
    if (passive) node.style.pointerEvents = "none";
    return node;
  }
  pane("storyBase", 150, true);
  pane("storyCountryLabels", 160, true);
  pane("storyArrows", 390, true);
  pane("storyLabels", 450, true);

  // -- offline base map (Natural Earth) -------------------------------------------------
  var basemapNode = document.getElementById("storymap-basemap");
  var basemap = basemapNode ? JSON.parse(basemapNode.text) : { features: [] };
  var baseRenderer = L.canvas({ pane: "storyBase", padding: 0.3 });
  var countryLabels = [], baseLayers = []; // added once the first view is set: projecting
  basemap.features.forEach(function (feature) {    // 28,000 vertices twice costs 0.1 s
    var layer = feature.properties.layer;
    if (layer === "land") {
      baseLayers.push(L.geoJSON(feature, { pane: "storyBase", renderer: baseRenderer, interactive: false,
        style: { color: "#a79f8e", weight: 0.7, fillColor: "#f3efe4", fillOpacity: 1 } }));
    } else if (layer === "borders") {
      baseLayers.push(L.geoJSON(feature, { pane: "storyBase", renderer: baseRenderer, interactive: false,
        style: { color: "#b5a99a", weight: 0.8, dashArray: "3 2" } }));
    } else if (layer === "label") {
      var c = feature.geometry.coordinates;
      countryLabels.push({
        minzoom: feature.properties.minzoom,
        marker: L.marker([c[1], c[0]], { pane: "storyCountryLabels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "story-country", iconSize: null, html: el("span", null, feature.properties.name) }) })
      });
    }
  });
  function showCountryLabels() {
    var zoom = map.getZoom(), view = map.getBounds().pad(0.2);
    countryLabels.forEach(function (label) {
      var show = zoom >= label.minzoom && zoom <= 8 && view.contains(label.marker.getLatLng());
      if (show && !map.hasLayer(label.marker)) label.marker.addTo(map);
      else if (!show && map.hasLayer(label.marker)) map.removeLayer(label.marker);
    });
  }
  if (data.basemapAttribution) map.attributionControl.addAttribution(data.basemapAttribution);
  if (data.attribution) map.attributionControl.addAttribution(data.attribution);

  // -- story layers -----------------------------------------------------------------------
  var groups = { Places: L.featureGroup(), Corridors: L.featureGroup(), Conflicts: L.featureGroup() };
  var layerOf = { places: "Places", corridors: "Corridors", conflicts: "Conflicts" };
  var byKey = {};        // feature key -> {feature, layer, group, layerName, passages: [passage items]}
  var passageItems = {}; // feature key -> [li elements]
  var articlesById = {};
  data.articles.forEach(function (a) { articlesById[a.id] = a; });

  function register(layerName, feature, leafletLayer) {
    var key = feature.properties._key;
    leafletLayer.on("click", function (event) {
      openPopup(key, event.latlng);
      highlightPassages(key);
    });
    byKey[key] = { feature: feature, layer: leafletLayer, group: layerOf[layerName], layerName: layerName,
      passages: [], nearby: [], style: "full" };
  }

  (data.layers.conflicts.features || []).forEach(function (feature) {
    var area = L.geoJSON(feature, { style: { color: "#b2182b", weight: 2, fillColor: "#ef8a62", fillOpacity: 0.3,
      dashArray: feature.properties.approximate ? "4 4" : null } });
    area.bindTooltip(textTip(feature.properties.name), { sticky: true });
    register("conflicts", feature, area);
    groups.Conflicts.addLayer(area);
  });

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
          interactive: false, keyboard: false, pane: "storyArrows",
          icon: L.divIcon({ className: "story-arrow", iconSize: [16, 16],
            html: '<div style="transform:rotate(' + angle.toFixed(1) + 'deg);color:' + colour + '">➤</div>' })
        }));
      }
    });
    group.bindTooltip(textTip(feature.properties.name), { sticky: true });
    register("corridors", feature, group);
    byKey[feature.properties._key].colour = colour;
    groups.Corridors.addLayer(group);
  });

  var placeItems = [];
  function placeLook(props, dim, selected) {
    var colour = KIND_COLOURS[props.kind] || "#333";
    var look = { fillColor: colour, fillOpacity: dim ? DIM.fillOpacity : 0.9, opacity: dim ? DIM.opacity : 1,
      color: selected ? "#111111" : "#ffffff", weight: selected ? 3 : 1.5 };
    if (props._uncertain) {
      look.fillColor = HOLLOW.fillColor;
      look.fillOpacity = dim ? DIM.fillOpacity * HOLLOW.fillOpacity : HOLLOW.fillOpacity;
      look.color = selected ? "#111111" : colour;
      look.weight = selected ? HOLLOW.weight + 1 : HOLLOW.weight;
    }
    return look;
  }
  (data.layers.places.features || []).forEach(function (feature) {
    var p = feature.properties, c = feature.geometry.coordinates;
    var look = placeLook(p, false, false);
    look.radius = Math.min(20, 4 + 2.5 * Math.sqrt(namedCount(p) * kindWeight(p.kind)));
    var marker = L.circleMarker([c[1], c[0]], look);
    marker.bindTooltip(textTip(p.name), { direction: "top" });
    register("places", feature, marker);
    placeItems.push(byKey[p._key]);
    groups.Places.addLayer(marker);
  });

  // Empty layers are not offered at all: no corridors, no "Corridors" switch.
  var overlays = {};
  Object.keys(groups).forEach(function (name) {
    if (groups[name].getLayers().length) overlays[name] = groups[name];
  });
  ["Conflicts", "Corridors", "Places"].forEach(function (name) { // drawn bottom to top
    if (overlays[name]) groups[name].addTo(map);
  });
  // A group added back is drawn last: put routes above zones and places above both again.
  function restack(event) {
    var added = event && event.layer;
    if (added === groups.Places || added === tiles) return;
    if (map.hasLayer(groups.Corridors) && added !== groups.Corridors) groups.Corridors.bringToFront();
    if (map.hasLayer(groups.Places)) groups.Places.bringToFront();
  }

  // Online tiles are the reader's choice: offline they would only fill the console with
  // failed requests. If they fail after all, the offline map is shown again.
  var tiles = null;
  if (data.tiles) {
    tiles = L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 });
    overlays[data.tiles.name] = tiles;
    var failed = false;
    tiles.on("tileerror", function () {
      if (failed) return;
      failed = true;
      setTimeout(function () { map.removeLayer(tiles); failed = false; }, 0);
      status("The online map could not be loaded; showing the offline map.");
    });
  }
  var layersControl = L.control.layers(null, overlays, { collapsed: window.innerWidth < 600, position: "topright" });
  layersControl.addTo(map);
  map.on("overlayadd", function (event) { restack(event); touch(); declutter(); });
  map.on("overlayremove", function (event) {
    var open = openKey && byKey[openKey];
    if (open && groups[open.group] === event.layer) map.closePopup(); // no popup pointing at nothing
    touch(); declutter();
  });

  function status(text) { document.getElementById("story-status").textContent = text; }
  document.getElementById("story-status").addEventListener("click", function () { status(""); });
  if (tiles) tiles.on("add", function () { status(""); }); // a new try: the old message is stale

  // -- legend: only what is on the map, redrawn when the reader turns a layer on or off --
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var box = el("div", "story-legend");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Legend");
    fillLegend(box);
    return box;
  };
  function onMap(group) { return groups[group].getLayers().length > 0 && map.hasLayer(groups[group]); }
  function fillLegend(box) {
    box.textContent = "";
    box.appendChild(el("strong", null, "Legend"));
    var places = onMap("Places") ? data.layers.places.features || [] : [];
    var kinds = {};
    places.forEach(function (f) { kinds[f.properties.kind] = true; });
    Object.keys(KIND_COLOURS).forEach(function (kind) {
      if (!kinds[kind]) return;
      var row = el("div"), dot = el("i");
      dot.style.background = KIND_COLOURS[kind];
      row.appendChild(dot); row.appendChild(document.createTextNode(kind));
      box.appendChild(row);
    });
    if (places.some(function (f) { return f.properties._uncertain; })) {
      var unsure = el("div", "story-legend-uncertain"), ring = el("i", "hollow");
      unsure.title = "Less than " + Math.round(CONFIDENCE.low * 100) + "% likely to be the right place: see its popup";
      unsure.appendChild(ring); unsure.appendChild(document.createTextNode("uncertain place"));
      box.appendChild(unsure);
    }
    if (onMap("Corridors")) {
      var line = el("div"), swatch = el("i", "line");
      swatch.style.borderColor = CORRIDOR_COLOURS[0];
      line.appendChild(swatch); line.appendChild(document.createTextNode("corridor (dashed: sea)"));
      box.appendChild(line);
    }
    if (onMap("Conflicts")) {
      var zone = el("div"), fill = el("i", "area");
      fill.style.background = "#ef8a62";
      zone.appendChild(fill); zone.appendChild(document.createTextNode("conflict zone"));
      box.appendChild(zone);
    }
    box.hidden = box.childNodes.length === 1; // nothing on the map to explain
  }
  // Drawn again on every event: the layer control also reports each member of a group leaving
  // while the group is still on the map, and the group's own event comes last.
  map.on("overlayadd overlayremove", function () {
    if (legend.getContainer()) fillLegend(legend.getContainer());
  });
  legend.addTo(map);

  // -- export -------------------------------------------------------------------------------
  // Each exported mention carries its article's headline and date, as the panel shows them.
  function exportedMention(mention) {
    var out = {}, article = articlesById[mention.article] || {};
    Object.keys(mention).forEach(function (k) { out[k] = mention[k]; });
    if (article.headline) out.headline = article.headline;
    if (article.date) out.date = article.date;
    return out;
  }
  // What the reader sees: the layers switched on, the features inside the chosen period,
  // and, like the layer files, each quoted passage once in a "passages" member.
  function visibleFeatures() {
    var features = [], quoted = {}, passages = [];
    ["places", "corridors", "conflicts"].forEach(function (layerName) {
      if (!map.hasLayer(groups[layerOf[layerName]])) return;
      (data.layers[layerName].features || []).forEach(function (feature) {
        var item = byKey[feature.properties._key];
        if (item && !item.inPeriod) return;
        var props = {};
        // Keys starting with "_" are the page's own (key, review lines), not the layer's.
        Object.keys(feature.properties).forEach(function (k) { if (k.charAt(0) !== "_") props[k] = feature.properties[k]; });
        if (props.mentions) props.mentions = props.mentions.map(exportedMention);
        (props.mentions || []).forEach(function (m) {
          var id = passageKey(m.article, m.passage), found = passageOf[id];
          if (!found || quoted[id]) return;
          quoted[id] = true;
          passages.push({ article: m.article, index: found.index, start: found.start, end: found.end, text: found.text });
        });
        props.layer = layerName;
        features.push({ type: "Feature", properties: props, geometry: feature.geometry });
      });
    });
    passages.sort(function (a, b) { return a.article < b.article ? -1 : a.article > b.article ? 1 : a.index - b.index; });
    return { type: "FeatureCollection", features: features, passages: passages };
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

  // -- popups -------------------------------------------------------------------------------
  function articleLabel(id) {
    var article = articlesById[id] || {};
    var parts = [article.headline || article.lead || id];
    if (article.date) parts.push(humanDate(article.date));
    if (article.outlet) parts.push(article.outlet);
    return parts.join(" · ");
  }

  // A mention names its passage by index; the passage text is sent once, in data.articles.
  function passageKey(article, index) { return article + "\u0000" + index; }
  var passageOf = {};
  data.articles.forEach(function (article) {
    article.passages.forEach(function (p) { passageOf[passageKey(article.id, p.index)] = p; });
  });

  // Passages of HTML and Markdown files keep blanks where their markup was (offsets stay
  // those of the file): shown as the page itself would show them, with no gap before a
  // closing mark or after an opening one. No-break spaces (French "mot ;") stay.
  function shown(text) {
    return text.replace(/ +(?=[.,;:)\]\u2019\u201d\u00bb])/g, "")
      .replace(/([(\[\u201c\u2018]) +/g, "$1").replace(/[ \t\r\n]{2,}/g, " ");
  }

  function sameWords(a, b) {
    var words = function (t) { return (t || "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim(); };
    return !!b && words(a) === words(b);
  }

  // One quote per passage, every mention of the place in it marked: a sentence naming
  // "Armenia" and "Armenians" is shown once, not twice.
  function byPassage(mentions) {
    var found = [], seen = {};
    mentions.forEach(function (m) {
      var id = m.passage === null || m.passage === undefined ? null : passageKey(m.article, m.passage);
      if (id !== null && seen[id]) { seen[id].push(m); return; }
      var group = [m];
      if (id !== null) seen[id] = group;
      found.push(group);
    });
    return found;
  }

  function markAt(passage, found, mention) {
    var at = found ? mention.start - found.start : 0, end = at + mention.text.length;
    if (at < 0 || end > passage.length || passage.slice(at, end) !== mention.text) {
      at = passage.indexOf(mention.text);
      end = at + mention.text.length;
    }
    return at >= 0 ? [at, end] : null;
  }

  function quote(group) {
    var first = group[0], block = el("blockquote");
    block.dataset.passage = passageKey(first.article, first.passage);
    var found = passageOf[block.dataset.passage];
    var passage = found ? found.text : first.text;
    var marks = group.map(function (m) { return markAt(passage, found, m); })
      .filter(Boolean).sort(function (a, b) { return a[0] - b[0]; });
    var cursor = 0;
    marks.forEach(function (span) {
      if (span[0] < cursor) return; // overlapping marks: the first one stays
      block.appendChild(document.createTextNode(shown(passage.slice(cursor, span[0]))));
      block.appendChild(el("mark", null, passage.slice(span[0], span[1])));
      cursor = span[1];
    });
    block.appendChild(document.createTextNode(shown(passage.slice(cursor))));
    block.appendChild(el("cite", null, articleLabel(first.article)));
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

  function popupContent(key, passage) {
    var item = byKey[key], layerName = item.layerName, props = item.feature.properties;
    var box = el("div", "story-popup");
    box.appendChild(el("h3", null, props.name));
    var meta;
    if (layerName === "places") {
      meta = props.kind + (props.country_code ? " · " + props.country_code : "") +
        " · " + props.mention_count + (props.mention_count === 1 ? " mention" : " mentions");
      var byDemonym = props.name_count != null ? props.mention_count - props.name_count : 0;
      if (byDemonym > 0) meta += " (" + byDemonym + " as " + (byDemonym === 1 ? "a demonym" : "demonyms") + ")";
    } else if (layerName === "corridors") {
      meta = "corridor · " + props.length_km + " km" + (props.start_date ? " · since " + props.start_date : "");
    } else {
      meta = "conflict · " + (props.start_date || "?") + " – " + (props.end_date || "ongoing") +
        (props.area_km2 ? " · " + props.area_km2 + " km²" : "");
    }
    box.appendChild(el("p", "meta", meta));
    if (layerName === "places") review(props, box);
    if (props.approximate) box.appendChild(el("p", "meta", "Approximate area: the shape is indicative only."));
    if (props.description) box.appendChild(el("p", null, props.description));
    if (props.waypoints && props.waypoints.length) {
      box.appendChild(el("p", null, "Route: " + props.waypoints.map(function (w) { return w.name; }).join(" → ")));
    }
    if (props.legs && props.legs.some(function (l) { return l.mode === "sea"; })) {
      box.appendChild(el("p", "meta", "Dashed legs are by sea."));
    }
    if (item.nearby.length) {
      var near = el("p", "story-nearby");
      near.appendChild(document.createTextNode("Also here: "));
      item.nearby.forEach(function (other, i) {
        var button = el("button", "story-link", byKey[other].feature.properties.name);
        button.type = "button";
        button.addEventListener("click", function () { select(other, true); });
        if (i) near.appendChild(document.createTextNode(", "));
        near.appendChild(button);
      });
      box.appendChild(near);
    }
    sources(props, box);
    var mentions = props.mentions || [];
    if (mentions.length) {
      var quotes = byPassage(mentions);
      box.appendChild(el("strong", null, quotes.length === 1 ? "Passage" : "Passages (" + quotes.length + ")"));
      // The first 50 quotes, and the passage the reader came from wherever it falls.
      var quoted = quotes.filter(function (group, i) {
        return i < 50 || passageKey(group[0].article, group[0].passage) === passage;
      });
      quoted.forEach(function (group) { box.appendChild(quote(group)); });
      if (quotes.length > quoted.length) box.appendChild(el("p", "meta", "… and " + (quotes.length - quoted.length) + " more"));
    } else if (layerName !== "places") {
      box.appendChild(el("p", "meta", "Not named in these articles."));
    }
    return box;
  }

  // -- review: how sure the place is, what else it could be, and the correction to paste ----
  function percent(score) { return Math.round(score * 100) + "%"; }
  function degrees(value, positive, negative) { return Math.abs(value).toFixed(1) + "°" + (value < 0 ? negative : positive); }
  function confidenceWords(props) {
    if (props._uncertain) return "uncertain place";
    return props.score >= CONFIDENCE.high ? "likely right" : "probably right";
  }
  function review(props, box) {
    if (typeof props.score === "number") {
      box.appendChild(el("p", "story-confidence" + (props._uncertain ? " is-uncertain" : ""),
        "Confidence: " + percent(props.score) + " (" + confidenceWords(props) + ")"));
    }
    var fix = props._fix;
    if (!fix) return;
    var section = el("div", "story-review");
    var alternatives = props.alternatives || [];
    function offered(alt, i) {  // a sure place does not offer its near-zero namesakes
      var floor = props._uncertain ? 0 : CONFIDENCE.alternative || 0;
      return fix.use && fix.use[i] && !(typeof alt.score === "number" && alt.score < floor);
    }
    if (alternatives.some(offered)) {
      section.appendChild(el("strong", null, "Also possible:"));
      var list = el("ul", "story-alternatives");
      alternatives.forEach(function (alt, i) {
        if (!offered(alt, i)) return;
        var label = alt.name + (alt.country_code ? ", " + alt.country_code : "") +
          (typeof alt.score === "number" ? " (" + percent(alt.score) + ")" : "");
        var row = el("li"), use = el("button", "story-use", "Use this");
        row.appendChild(el("span", null, label));
        if (typeof alt.lat === "number" && typeof alt.lon === "number") {  // tells namesakes apart
          row.appendChild(el("span", "story-where", " " + degrees(alt.lat, "N", "S") + " " + degrees(alt.lon, "E", "W")));
        }
        row.appendChild(document.createTextNode(" "));
        use.type = "button";
        use.setAttribute("aria-label", "Use this: " + label);
        use.addEventListener("click", function () {
          showCorrection(section, fix.use[i], "Moves “" + props.name + "” to " + label + ".");
        });
        row.appendChild(use);
        list.appendChild(row);
      });
      section.appendChild(list);
    }
    var reject = el("button", "story-reject", "Not a place");
    reject.type = "button";
    reject.setAttribute("aria-label", "Not a place: “" + props.name + "”");
    reject.addEventListener("click", function () {
      showCorrection(section, fix.reject, "Removes “" + props.name + "” from the map.");
    });
    section.appendChild(reject);
    box.appendChild(section);
  }
  // The line for layers/corrections.yaml, selected in a read-only box and copied when the
  // browser allows it; a refused clipboard only changes the hint (Ctrl+C still works).
  var correctionBoxes = 0;
  function showCorrection(section, text, effect) {
    var panel = section.querySelector(".story-correction");
    if (!panel) {
      panel = el("div", "story-correction");
      var label = el("label", null, "Paste under “corrections:” in layers/corrections.yaml, then rebuild:");
      var area = el("textarea");
      area.readOnly = true;
      area.spellcheck = false;
      area.id = "story-correction-" + (++correctionBoxes);
      label.htmlFor = area.id;
      panel.appendChild(label);
      panel.appendChild(area);
      panel.appendChild(el("p", "meta story-copied"));
      section.appendChild(panel);
    }
    var box = panel.querySelector("textarea"), note = panel.querySelector(".story-copied");
    box.value = text;
    box.rows = Math.min(8, text.split("\n").length * 2 + 1);
    note.textContent = effect;
    if (openPopupLayer) openPopupLayer.update();
    box.focus();
    box.select();
    copyText(text, box, function (copied) {
      note.textContent = effect + (copied ? " Copied to the clipboard." : " Selected: press Ctrl+C (⌘C) to copy.");
    });
  }
  function copyText(text, box, done) {
    function fallback() {
      var copied = false;
      box.focus();
      box.select();
      try { copied = !!(document.execCommand && document.execCommand("copy")); } catch (error) { copied = false; }
      done(copied);
    }
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {
      try {
        navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
      } catch (error) { fallback(); }
    } else {
      fallback();
    }
  }

  // Sized from the screen each time, so that a popup never runs off a phone.
  function popupOptions() {
    var insets = overlayInsets();
    var width = map.getSize().x;
    var top = width <= 600 ? 52 : 12; // below the Story and Layers buttons on a phone
    return {
      maxWidth: Math.max(160, Math.min(340, width - insets.left - 60)),
      minWidth: Math.min(200, width - insets.left - 60),
      autoPanPaddingTopLeft: L.point(insets.left + 12, top),
      autoPanPaddingBottomRight: L.point(12, insets.bottom + 12),
      className: "story-popup-frame"
    };
  }
  var openKey = null, openPopupLayer = null;
  function openPopup(key, latlng, passage) {
    var item = byKey[key];
    if (!item) return;
    var at = latlng || (item.layer.getLatLng ? item.layer.getLatLng() : item.layer.getBounds().getCenter());
    var popup = L.popup(popupOptions()).setLatLng(at).setContent(popupContent(key, passage));
    popup.openOn(map); // closes the previous popup first
    openKey = key;
    openPopupLayer = popup;
    writeHash();
  }
  map.on("popupclose", function (event) {
    if (event.popup !== openPopupLayer) return;
    openKey = null;
    openPopupLayer = null;
    writeHash();
  });

  // -- where the panel and timeline cover the map -------------------------------------------
  function overlayInsets() {
    var box = map.getContainer().getBoundingClientRect();
    var left = 0, bottom = 0, right = 0;
    ["story-panel", "story-timeline"].forEach(function (id) {
      var node = document.getElementById(id);
      if (!node || node.offsetParent === null) return;
      var r = node.getBoundingClientRect();
      if (r.width < box.width * 0.7 && r.left <= box.left + 2) {
        left = Math.max(left, r.right - box.left);       // the panel beside the map
      } else if (r.top > box.top + box.height * 0.3) {
        bottom = Math.max(bottom, box.bottom - r.top);   // the timeline, or the phone's panel
      }
    });
    if (box.width > 600) {                               // controls on the right, not on phones
      var controls = map.getContainer().querySelectorAll(".leaflet-right .leaflet-control");
      for (var i = 0; i < controls.length; i++) {
        var c = controls[i].getBoundingClientRect();
        if (c.width && c.width < box.width * 0.4) right = Math.max(right, box.right - c.left);
      }
    }
    return { left: left, bottom: bottom, right: right };
  }
  function fitOptions(maxZoom) {
    var insets = overlayInsets();
    return {
      paddingTopLeft: L.point(insets.left + 24, 24),
      paddingBottomRight: L.point(insets.right + 12, insets.bottom + 24),
      maxZoom: maxZoom || 7,
      animate: !reduceMotion,
      duration: 0.8
    };
  }
  function toBounds(bounds) { return bounds ? L.latLngBounds(bounds) : null; }
  function showBounds(bounds, animate, maxZoom) {
    if (!bounds) return;
    var options = fitOptions(maxZoom);
    if (animate && !reduceMotion) map.flyToBounds(bounds, options);
    else { options.animate = false; map.fitBounds(bounds, options); }
  }

  // -- decluttering: overlapping markers merge into the most-mentioned one -------------------
  var chapterKeys = null; // keys the current chapter mentions, or null in the overview
  var selectedKey = null;
  var labelMarkers = {};
  var labelsShown = {};
  // Runs after every move and every change of chapter, period or selection; skipped when
  // nothing it depends on has changed (a chapter step both changes and moves the map).
  var version = 0, lastRun = null, ready = false;
  function touch() { version++; }
  function declutter() {
    if (!ready) return; // once, at the end of start-up, not for every step of it
    var shownByFilter = map.hasLayer(groups.Places);
    var signature = [map.getZoom(), map.getPixelBounds().min, version, shownByFilter].join("|");
    if (signature === lastRun) return;
    lastRun = signature;
    var candidates = [];
    placeItems.forEach(function (item) {
      item.nearby = [];
      item.keptBy = null;
      if (item.inPeriod) candidates.push(item);
    });
    candidates.forEach(function (item) { item.priority = priority(item); });
    candidates.sort(function (a, b) {
      return b.priority - a.priority || (a.feature.properties._key < b.feature.properties._key ? -1 : 1);
    });
    var cell = 48, grid = {}, kept = [];
    candidates.forEach(function (item) {
      var p = map.latLngToLayerPoint(item.layer.getLatLng()), r = item.layer.getRadius();
      var cx = Math.floor(p.x / cell), cy = Math.floor(p.y / cell), host = null;
      for (var dx = -1; dx <= 1 && !host; dx++) {
        for (var dy = -1; dy <= 1 && !host; dy++) {
          (grid[(cx + dx) + ":" + (cy + dy)] || []).some(function (other) {
            if (other.point.distanceTo(p) < (other.radius + r) * OVERLAP) { host = other; return true; }
            return false;
          });
        }
      }
      if (host) {
        item.keptBy = host.item.feature.properties._key;
        host.item.nearby.push(item.feature.properties._key);
        return;
      }
      var entry = { item: item, point: p, radius: r };
      (grid[cx + ":" + cy] = grid[cx + ":" + cy] || []).push(entry);
      kept.push(entry);
    });
    restyled = 0;
    placeItems.forEach(function (item) {
      var show = item.inPeriod && !item.keptBy;
      var has = groups.Places.hasLayer(item.layer);
      if (show && !has) groups.Places.addLayer(item.layer);
      else if (!show && has) groups.Places.removeLayer(item.layer);
      styleFeature(item);
    });
    if (restyled) redrawPlaces();
    if (shownByFilter) groups.Places.bringToFront();
    placeLabels(shownByFilter ? kept : []);
  }
  function priority(item) {
    var key = item.feature.properties._key;
    var props = item.feature.properties, score = namedCount(props) * kindWeight(props.kind);
    if (chapterKeys && chapterKeys[key]) score += 1e6;
    if (key === selectedKey) score += 1e9;
    return score;
  }
  // Names for the most-mentioned kept markers, where a name does not cover another.
  function placeLabels(kept) {
    var size = map.getSize(), wanted = {}, cell = 64, grid = {};
    function cells(box, each) {
      for (var x = Math.floor(box[0] / cell); x <= Math.floor(box[2] / cell); x++) {
        for (var y = Math.floor(box[1] / cell); y <= Math.floor(box[3] / cell); y++) {
          if (each(x + ":" + y)) return true;
        }
      }
      return false;
    }
    function put(box) { cells(box, function (c) { (grid[c] = grid[c] || []).push(box); return false; }); }
    function hits(box) {
      return cells(box, function (c) {
        return (grid[c] || []).some(function (b) {
          return b[4] !== box[4] && box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3];
        });
      });
    }
    kept.forEach(function (entry) { put([entry.point.x - entry.radius, entry.point.y - entry.radius,
      entry.point.x + entry.radius, entry.point.y + entry.radius, entry.item]); });
    var origin = map.latLngToLayerPoint(map.containerPointToLatLng([0, 0]));
    // The map's own controls (layers, export, legend, zoom) cover names as markers do.
    var frame = map.getContainer().getBoundingClientRect();
    map.getContainer().querySelectorAll(".leaflet-control").forEach(function (control) {
      var b = control.getBoundingClientRect();
      if (!b.width) return;
      put([b.left - frame.left + origin.x, b.top - frame.top + origin.y,
           b.right - frame.left + origin.x, b.bottom - frame.top + origin.y, control]);
    });
    var count = 0;
    kept.forEach(function (entry) {
      if (count >= LABEL_LIMIT) return;
      var item = entry.item, key = item.feature.properties._key;
      if (chapterKeys && !chapterKeys[key]) return;
      var name = item.feature.properties.name, w = 7 * name.length + 8, h = 16;
      var p = entry.point, r = entry.radius + 2;
      // Right of the marker first, then left, above and below: the first side that is on
      // screen and covers no other name or marker.
      var sides = { right: [p.x + r, p.y - h / 2], left: [p.x - r - w, p.y - h / 2],
                    above: [p.x - w / 2, p.y - r - h], below: [p.x - w / 2, p.y + r] };
      var side = LABEL_SIDES.find(function (s) {
        var x0 = sides[s][0], y0 = sides[s][1], cx = x0 - origin.x, cy = y0 - origin.y;
        return cx >= 0 && cy >= 0 && cx + w <= size.x && cy + h <= size.y &&
          !hits([x0, y0, x0 + w, y0 + h, item]);
      });
      if (!side) return;
      put([sides[side][0], sides[side][1], sides[side][0] + w, sides[side][1] + h, item]);
      wanted[key] = { entry: entry, side: side };
      count++;
    });
    Object.keys(labelsShown).forEach(function (key) {
      if (!wanted[key]) { map.removeLayer(labelMarkers[key]); delete labelsShown[key]; }
    });
    Object.keys(wanted).forEach(function (key) {
      var entry = wanted[key].entry, side = wanted[key].side, marker = labelMarkers[key];
      if (!marker) {
        var span = el("span", null, entry.item.feature.properties.name);
        marker = labelMarkers[key] = L.marker(entry.item.layer.getLatLng(), { pane: "storyLabels", interactive: false,
          keyboard: false, icon: L.divIcon({ className: "story-place-label", iconSize: null, html: span }) });
      }
      // The span is shifted by CSS (is-left, is-above, is-below) so that its real width,
      // not the estimate, sits against the marker.
      var r = entry.radius + 3, anchor = { right: [-r, 9], left: [r, 9], above: [0, r + 16], below: [0, -r] };
      var icon = marker.options.icon.options;
      var changed = icon.iconAnchor === undefined || icon.iconAnchor[0] !== anchor[side][0] ||
        icon.iconAnchor[1] !== anchor[side][1] || marker.side !== side;
      icon.iconAnchor = anchor[side];
      icon.className = "story-place-label is-" + side;
      marker.side = side;
      if (changed && labelsShown[key]) marker.setIcon(marker.options.icon);
      if (!labelsShown[key]) { marker.setIcon(marker.options.icon); marker.addTo(map); labelsShown[key] = true; }
    });
  }

  var restyled = 0;
  function redrawPlaces() {
    var renderer = map.getRenderer(groups.Places.getLayers()[0] || L.circleMarker([0, 0]));
    if (renderer && renderer._redraw) renderer._redraw();          // Leaflet 1.9 canvas
    else groups.Places.eachLayer(function (layer) { layer.redraw(); });
  }
  function styleFeature(item) {
    var key = item.feature.properties._key;
    var dim = (chapterKeys && !chapterKeys[key]) || !item.inPeriod;
    var layer = item.layer;
    var style = (dim ? "dim" : "full") + (key === selectedKey ? "+selected" : "");
    if (item.style === style) return; // setStyle redraws: only when something changed
    item.style = style;
    if (item.layerName === "places") {
      var look = placeLook(item.feature.properties, dim, key === selectedKey);
      // Options now, one canvas redraw for all (redrawPlaces): a chapter step restyles
      // hundreds of markers, and setStyle would queue a redraw for each.
      L.Util.setOptions(layer, look);
      restyled++;
    } else if (item.layerName === "corridors") {
      layer.eachLayer(function (part) { if (part.setStyle) part.setStyle({ opacity: dim ? DIM.opacity : 0.9 }); });
    } else {
      layer.setStyle({ opacity: dim ? DIM.opacity : 1, fillOpacity: dim ? 0.08 : 0.3 });
    }
  }

  // -- selecting a place ------------------------------------------------------------------
  // ``passage`` ("article\u0000index"): the passage the reader came from, shown first
  // in the popup among the place's quotes.
  function select(key, open, passage) {
    var item = byKey[key];
    if (!item) return;
    if (!map.hasLayer(groups[item.group])) groups[item.group].addTo(map);
    selectedKey = item.layerName === "places" ? key : null;
    touch();
    var done = function () { if (open) { openPopup(key, null, passage); showQuote(passage); } };
    if (item.layer.getLatLng) {
      var target = item.layer.getLatLng(), zoom = Math.max(map.getZoom(), 6);
      if (map.getCenter().distanceTo(target) < 1000 && map.getZoom() === zoom || reduceMotion) {
        map.setView(target, zoom, { animate: false });
        declutter();
        done();
      } else {
        map.once("moveend", function () { declutter(); done(); });
        map.flyTo(target, zoom, { duration: 0.6 });
      }
    } else {
      map.once("moveend", done);
      map.flyToBounds(item.layer.getBounds(), fitOptions(8));
    }
    highlightPassages(key);
  }

  function showQuote(passage) {
    if (!passage || !openPopupLayer) return;
    var quotes = openPopupLayer.getElement().querySelectorAll("blockquote"), first = null;
    Array.prototype.forEach.call(quotes, function (q) {
      if (q.dataset.passage !== passage) return;
      q.classList.add("is-current");
      first = first || q;
    });
    var box = first && first.closest(".story-popup"); // the popup scrolls, never the map
    if (!box) return;
    var heading = box.querySelector("h3"), below = heading ? heading.getBoundingClientRect().height : 0;
    box.scrollTop += first.getBoundingClientRect().top - box.getBoundingClientRect().top - below - 8;
  }

  function highlightPassages(key) {
    var previous = document.querySelectorAll(".story-passage.is-highlighted");
    for (var i = 0; i < previous.length; i++) previous[i].classList.remove("is-highlighted");
    var items = passageItems[key] || [];
    items.forEach(function (li) { li.classList.add("is-highlighted"); });
    if (items.length && items[0].scrollIntoView) items[0].scrollIntoView({ block: "nearest" });
  }

  // -- the story panel ----------------------------------------------------------------------
  function humanDate(iso) {
    var parts = iso.split("-");
    return Number(parts[2]) + " " + MONTH_NAMES[Number(parts[1]) - 1] + " " + parts[0];
  }
  document.getElementById("story-title").textContent = data.title || "";
  document.getElementById("story-subtitle").textContent = data.subtitle || "";
  var container = document.getElementById("story-articles");
  var fragment = document.createDocumentFragment();
  var sections = {};
  var allPassages = [];
  var order = data.chapters.slice();
  data.articles.forEach(function (a) { if (order.indexOf(a.id) < 0 && a.passages.length) order.push(a.id); });
  order.forEach(function (id, chapterIndex) {
    var article = articlesById[id];
    var section = el("section", "story-article");
    section.id = "story-article-" + chapterIndex;
    section.dataset.article = article.id;
    sections[article.id] = section;
    var heading = el("h2", article.headline ? "story-headline" : "story-headline is-lead", article.headline || article.lead || article.id);
    section.appendChild(heading);
    var meta = el("p", "story-byline");
    var bits = [];
    if (article.date) {
      var time = el("time", null, humanDate(article.date));
      time.setAttribute("datetime", article.date);
      bits.push(time);
    } else {
      bits.push(el("span", "story-undated", "date not stated"));
    }
    if (article.outlet) bits.push(el("span", null, article.outlet));
    if (article.author) bits.push(el("span", null, "by " + article.author));
    bits.forEach(function (node, i) { if (i) meta.appendChild(document.createTextNode(" · ")); meta.appendChild(node); });
    if (article.url && /^https?:\/\//.test(article.url)) {
      meta.appendChild(document.createTextNode(" · "));
      var link = el("a", null, "original");
      link.href = article.url; link.target = "_blank"; link.rel = "noopener noreferrer";
      meta.appendChild(link);
    }
    section.appendChild(meta);
    var list = el("ol");
    article.passages.forEach(function (passage, passageIndex) {
      var li = el("div", "story-passage"), row = el("li");
      row.appendChild(li);
      li.tabIndex = 0;
      li.setAttribute("role", "button");
      li.dataset.article = article.id;
      li.dataset.start = passage.start;
      var cursor = 0;
      passage.refs.forEach(function (ref) {
        if (ref.start < cursor) return;
        li.appendChild(document.createTextNode(shown(passage.text.slice(cursor, ref.start))));
        var mark = el("mark", null, passage.text.slice(ref.start, ref.end));
        mark.dataset.key = ref.key;
        li.appendChild(mark);
        cursor = ref.end;
        (passageItems[ref.key] = passageItems[ref.key] || []).push(li);
      });
      li.appendChild(document.createTextNode(shown(passage.text.slice(cursor))));
      var keys = passage.refs.map(function (r) { return r.key; });
      li.setAttribute("aria-label", "Show on map: " + shown(passage.text).slice(0, 80));
      var record = { article: article, passage: passage, li: li, keys: keys, spans: passageSpans(article, passage) };
      allPassages.push(record);
      keys.forEach(function (key) { if (byKey[key]) byKey[key].passages.push(record); });
      // A click on a highlighted name opens that place; elsewhere, the passage's first.
      function activate(event) {
        var mark = event && event.target.closest ? event.target.closest("mark") : null;
        select(mark && mark.dataset.key || keys[0], true, passageKey(article.id, passage.index));
      }
      li.addEventListener("click", activate);
      li.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); activate(); }
      });
      if (passageIndex === 0 && sameWords(shown(passage.text), article.headline)) {
        heading.textContent = ""; // the headline is the article's first passage: said once,
        li.classList.add("is-heading"); // its names marked and clickable like any other
        heading.appendChild(li);
        return;
      }
      list.appendChild(row);
    });
    section.appendChild(list);
    fragment.appendChild(section);
  });
  container.appendChild(fragment);

  // -- time ---------------------------------------------------------------------------------
  function month(iso) { var p = iso.split("-"); return Number(p[0]) * 12 + Number(p[1]) - 1; }
  function monthLabel(m) { return MONTHS[m % 12] + " " + Math.floor(m / 12); }
  function monthName(m) { return MONTH_NAMES[m % 12] + " " + Math.floor(m / 12); }
  // When a passage is about: the dates it states, else its article's date.
  function passageSpans(article, passage) {
    if (passage.dates && passage.dates.length) {
      return passage.dates.map(function (d) { return [month(d.start), month(d.end)]; });
    }
    return article.date ? [[month(article.date), month(article.date)]] : [];
  }
  function featureSpans(item) {
    var props = item.feature.properties;
    if (item.layerName !== "places" && props.start_date) {
      return [[month(props.start_date), props.end_date ? month(props.end_date) : Infinity]];
    }
    var spans = [];
    item.passages.forEach(function (record) { spans = spans.concat(record.spans); });
    return spans;
  }
  var months = [];
  allPassages.forEach(function (r) { r.spans.forEach(function (s) { months.push(s[0], s[1]); }); });
  data.articles.forEach(function (a) { if (a.date) months.push(month(a.date)); });
  Object.keys(byKey).forEach(function (key) {
    var props = byKey[key].feature.properties;
    if (byKey[key].layerName === "places") return;
    if (props.start_date) months.push(month(props.start_date));
    if (props.end_date) months.push(month(props.end_date));
  });
  var minMonth = months.length ? Math.min.apply(null, months) : 0;
  var maxMonth = months.length ? Math.max.apply(null, months) : 0;
  if (maxMonth === minMonth) { minMonth -= 1; maxMonth += 1; }
  var period = null; // [from, to] months, or null for all dates
  function inPeriod(spans) {
    if (!period) return true;
    return spans.some(function (s) { return s[0] <= period[1] && s[1] >= period[0]; });
  }
  function applyFilters() {
    Object.keys(byKey).forEach(function (key) {
      var item = byKey[key];
      item.inPeriod = inPeriod(featureSpans(item));
      if (item.layerName !== "places") styleFeature(item);
    });
    allPassages.forEach(function (r) { r.li.classList.toggle("is-outside", !inPeriod(r.spans)); });
    touch();
    declutter();
  }

  var timeline = document.getElementById("story-timeline");
  var track = document.getElementById("story-timeline-track");
  var fromInput = document.getElementById("story-from"), toInput = document.getElementById("story-to");
  var periodOutput = document.getElementById("story-period");
  function position(m) { return ((m - minMonth) / (maxMonth - minMonth) * 100).toFixed(3) + "%"; }
  function buildTimeline() {
    if (!months.length) { timeline.hidden = true; document.body.classList.add("story-no-timeline"); return; }
    [fromInput, toInput].forEach(function (input) { input.min = minMonth; input.max = maxMonth; });
    fromInput.value = minMonth; toInput.value = maxMonth;
    var axis = el("div", "story-axis");
    axis.setAttribute("aria-hidden", "true");
    var firstYear = Math.floor(minMonth / 12), lastYear = Math.floor(maxMonth / 12);
    var step = Math.max(1, Math.ceil((lastYear - firstYear + 1) / 8));
    for (var y = firstYear; y <= lastYear; y += step) {
      if (y * 12 < minMonth) continue;
      var tick = el("span", "story-tick", y);
      tick.style.left = position(y * 12);
      axis.appendChild(tick);
    }
    track.appendChild(axis);
    var lanes = { layers: el("div", "story-lane story-lane-layers"), events: el("div", "story-lane story-lane-events"),
      articles: el("div", "story-lane story-lane-articles") };
    Object.keys(byKey).forEach(function (key) {
      var item = byKey[key], props = item.feature.properties;
      if (item.layerName === "places" || !props.start_date) return;
      var start = month(props.start_date), end = props.end_date ? month(props.end_date) : maxMonth;
      var bar = el("button", "story-bar story-bar-" + item.layerName);
      bar.type = "button";
      bar.style.left = position(Math.max(start, minMonth));
      bar.style.width = "calc(" + position(end) + " - " + position(Math.max(start, minMonth)) + " + 4px)";
      bar.style.background = item.colour || "#d6604d";
      var label = props.name + ": " + props.start_date + " – " + (props.end_date || (item.layerName === "conflicts" ? "ongoing" : "today"));
      bar.setAttribute("aria-label", label);
      bar.title = label;
      bar.addEventListener("click", function () { select(key, true); });
      lanes.layers.appendChild(bar);
    });
    // One dot per month: a story of 2,000 dated passages must not become 2,000 buttons.
    var byMonth = {};
    allPassages.forEach(function (record) {
      (record.passage.dates || []).forEach(function (d) {
        var m = month(d.start);
        (byMonth[m] = byMonth[m] || []).push({ record: record, date: d });
      });
    });
    Object.keys(byMonth).forEach(function (m) {
      var found = byMonth[m], first = found[0];
      var dot = el("button", "story-event" + (found.length > 1 ? " is-many" : ""));
      dot.type = "button";
      dot.style.left = position(Number(m));
      var label = found.length === 1 ? first.date.text + ": " + shown(first.record.passage.text).slice(0, 90)
        : monthName(Number(m)) + ": " + found.length + " passages";
      dot.setAttribute("aria-label", label);
      dot.title = label;
      dot.addEventListener("click", function () { goToPassages(found.map(function (f) { return f.record; })); });
      lanes.events.appendChild(dot);
    });
    order.forEach(function (id, i) {
      var article = articlesById[id];
      if (!article.date) return;
      var mark = el("button", "story-article-mark");
      mark.type = "button";
      mark.style.left = position(month(article.date));
      var label = humanDate(article.date) + ": " + (article.headline || article.lead || article.id);
      mark.setAttribute("aria-label", "Chapter " + (i + 1) + ", " + label);
      mark.title = label;
      mark.addEventListener("click", function () { setChapter(i + 1, true); });
      lanes.articles.appendChild(mark);
    });
    track.appendChild(lanes.layers); track.appendChild(lanes.events); track.appendChild(lanes.articles);
    showPeriod();
  }
  function goToPassages(records) {
    highlightPassages(null);
    records.forEach(function (record) { record.li.classList.add("is-highlighted"); });
    if (records[0].li.scrollIntoView) records[0].li.scrollIntoView({ block: "nearest" });
    // A passage naming Moscow, Baku and Russia goes to Moscow and Baku: a country's point
    // would pull the view to the middle of Siberia.
    var keys = [];
    records.forEach(function (record) {
      record.keys.forEach(function (k) { if (byKey[k] && keys.indexOf(k) < 0) keys.push(k); });
    });
    var precise = keys.filter(function (k) { return kindWeight(byKey[k].feature.properties.kind) === 1; });
    if (precise.length) keys = precise;
    var points = keys.map(function (k) {
      var layer = byKey[k].layer;
      return layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
    });
    if (points.length === 1) select(keys[0], true);
    else if (points.length) showBounds(L.latLngBounds(points).pad(0.2), true, 7);
  }
  function showPeriod() {
    var from = Number(fromInput.value), to = Number(toInput.value);
    fromInput.setAttribute("aria-valuetext", monthName(from));
    toInput.setAttribute("aria-valuetext", monthName(to));
    periodOutput.textContent = period ? monthLabel(from) + " – " + monthLabel(to) : "All dates (" + monthLabel(minMonth) + " – " + monthLabel(maxMonth) + ")";
    track.style.setProperty("--from", position(from));
    track.style.setProperty("--to", position(to));
  }
  function setPeriod(from, to, quiet) {
    from = Math.max(minMonth, Math.min(maxMonth, from)); to = Math.max(minMonth, Math.min(maxMonth, to));
    if (from > to) { var t = from; from = to; to = t; }
    fromInput.value = from; toInput.value = to;
    period = (from === minMonth && to === maxMonth) ? null : [from, to];
    showPeriod();
    applyFilters();
    if (!quiet) writeHash();
  }
  function onRange() {
    var from = Number(fromInput.value), to = Number(toInput.value);
    if (from > to) { if (this === fromInput) fromInput.value = to; else toInput.value = from; }
    setPeriod(Number(fromInput.value), Number(toInput.value));
  }
  fromInput.addEventListener("input", onRange);
  toInput.addEventListener("input", onRange);
  document.getElementById("story-period-reset").addEventListener("click", function () { setPeriod(minMonth, maxMonth); });

  // -- chapters -----------------------------------------------------------------------------
  var chapter = 0; // 0: the whole story; 1..N: the articles in date order
  var prev = document.getElementById("story-prev"), next = document.getElementById("story-next");
  var chapterLabel = document.getElementById("story-chapter");
  function setChapter(n, animate, quiet) {
    chapter = Math.max(0, Math.min(order.length, n));
    var id = chapter ? order[chapter - 1] : null;
    chapterKeys = null;
    touch();
    Object.keys(sections).forEach(function (aid) { sections[aid].classList.toggle("is-current", aid === id); });
    document.body.classList.toggle("story-in-chapter", !!id);
    if (id) {
      chapterKeys = {};
      articlesById[id].passages.forEach(function (p) { p.refs.forEach(function (r) { chapterKeys[r.key] = true; }); });
      var article = articlesById[id];
      chapterLabel.textContent = "Chapter " + chapter + " of " + order.length + ": " + (article.headline || article.lead || article.id);
      scrollPanelTo(sections[id], animate);
      showBounds(toBounds(article.bounds), animate);
    } else {
      chapterLabel.textContent = "Overview: " + order.length + (order.length === 1 ? " chapter" : " chapters") + ". Next starts the story.";
      showBounds(toBounds(data.view), animate);
    }
    prev.disabled = chapter === 0;
    next.disabled = chapter === order.length;
    Object.keys(byKey).forEach(function (key) { if (byKey[key].layerName !== "places") styleFeature(byKey[key]); });
    declutter(); // after the move above: a jump has already decluttered the new view
    if (!quiet) writeHash();
  }
  // The panel header is sticky: scroll so that the chapter's headline sits just below it.
  function scrollPanelTo(section, animate) {
    var panel = document.getElementById("story-panel");
    var header = panel.querySelector("header");
    var top = section.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop;
    var to = Math.max(0, top - header.offsetHeight - 4);
    if (panel.scrollTo) panel.scrollTo({ top: to, behavior: reduceMotion || !animate ? "auto" : "smooth" });
    else panel.scrollTop = to;
  }
  prev.addEventListener("click", function () { setChapter(chapter - 1, true); });
  next.addEventListener("click", function () { setChapter(chapter + 1, true); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && openKey) { map.closePopup(); return; }
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    if (target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable ||
        map.getContainer().contains(target))) return;
    event.preventDefault();
    setChapter(chapter + (event.key === "ArrowRight" ? 1 : -1), true);
  });

  // -- deep links: #chapter=2&place=places:…&from=2022-02&to=2024-08 ------------------------
  function monthCode(m) { var mm = m % 12 + 1; return Math.floor(m / 12) + "-" + (mm < 10 ? "0" : "") + mm; }
  function hashState() {
    var parts = [];
    if (chapter) parts.push("chapter=" + chapter);
    if (openKey) parts.push("place=" + encodeURIComponent(openKey));
    if (period) parts.push("from=" + monthCode(period[0]), "to=" + monthCode(period[1]));
    return parts.length ? "#" + parts.join("&") : "";
  }
  var applyingHash = false;
  function writeHash() {
    if (applyingHash) return;
    var hash = hashState();
    if (hash === location.hash || (!hash && !location.hash)) return;
    try {
      history.replaceState(null, "", hash || location.pathname + location.search);
    } catch (error) { /* some file:// setups refuse; the view itself still works */ }
  }
  function readHash() {
    var state = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i <= 0) return;
      try { state[pair.slice(0, i)] = decodeURIComponent(pair.slice(i + 1)); }
      catch (error) { /* a mangled link opens the overview rather than breaking the page */ }
    });
    return state;
  }
  function applyHash() {
    var state = readHash();
    applyingHash = true;
    try {
      var code = /^(\d{4})-(\d{2})$/;
      var from = code.exec(state.from || ""), to = code.exec(state.to || "");
      if (from && to) setPeriod(Number(from[1]) * 12 + Number(from[2]) - 1, Number(to[1]) * 12 + Number(to[2]) - 1, true);
      else setPeriod(minMonth, maxMonth, true);
      setChapter(Number(state.chapter) || 0, false, true);
      if (state.place && byKey[state.place]) {
        var item = byKey[state.place];
        selectedKey = item.layerName === "places" ? state.place : null;
        touch();
        if (item.layer.getLatLng) map.setView(item.layer.getLatLng(), Math.max(map.getZoom(), 6), { animate: false });
        declutter();
        openPopup(state.place);
        highlightPassages(state.place);
      }
    } finally {
      applyingHash = false;
    }
  }
  window.addEventListener("hashchange", applyHash);

  // -- search: type a place name, Enter flies there ------------------------------------------
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
    }).slice(0, 12).forEach(function (n, i) {
      var li = el("li", null, n.name);
      li.setAttribute("role", "option");
      li.id = "story-result-" + i;
      li.setAttribute("aria-selected", "false");
      li.dataset.key = n.key;
      li.addEventListener("click", function () { closeResults(); select(n.key, true); });
      results.appendChild(li);
    });
  }
  function closeResults() { results.textContent = ""; active = -1; } // the list never covers the panel
  input.addEventListener("input", renderResults);
  input.addEventListener("keydown", function (event) {
    var options = results.querySelectorAll("li");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!options.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
      for (var i = 0; i < options.length; i++) options[i].setAttribute("aria-selected", i === active ? "true" : "false");
    } else if (event.key === "Enter" && options.length) {
      var key = options[Math.max(active, 0)].dataset.key;
      closeResults();
      select(key, true);
    } else if (event.key === "Escape" && options.length) {
      event.stopPropagation(); // closes the list only, not the open popup too
      closeResults();
    }
  });

  // -- panel toggle (collapses on narrow screens to give the map room) -----------------------
  var toggle = document.getElementById("story-toggle");
  document.body.classList.add("story-with-panel");
  function setPanel(open) {
    document.body.classList.toggle("story-collapsed", !open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    setTimeout(function () { map.invalidateSize(); }, 0);
  }
  toggle.addEventListener("click", function () { setPanel(document.body.classList.contains("story-collapsed")); });

  // -- start: the whole story, or the view a link names -------------------------------------
  map.on("moveend", function () { showCountryLabels(); declutter(); });
  map.on("zoomend", showCountryLabels);
  // Printed, the map is a band above the passages: fit the current chapter into it again.
  function refit() {
    map.invalidateSize();
    var id = chapter ? order[chapter - 1] : null;
    showBounds(toBounds(id ? articlesById[id].bounds : data.view), false);
  }
  window.addEventListener("beforeprint", refit);
  window.addEventListener("afterprint", refit);
  buildTimeline();
  applyFilters();
  applyHash();
  baseLayers.forEach(function (layer) { layer.addTo(map); });
  ready = true;
  declutter();
  showCountryLabels();
  window.storymapExport = visibleFeatures;
  window.storymap = {
    map: map, groups: groups, select: select, byKey: byKey, openPopup: openPopup,
    setChapter: setChapter, setPeriod: setPeriod,
    state: function () { return { chapter: chapter, place: openKey, period: period && [monthCode(period[0]), monthCode(period[1])] }; }
  };
}
