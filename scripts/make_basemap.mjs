#!/usr/bin/env node
// Regenerates geo/data/basemap/basemap.geojson: the offline base map drawn under every page.
//
// Source: Natural Earth 1:50m land and admin-0 countries (public domain), as TopoJSON in the
// `world-atlas` npm package (ISC). Decoded with `topojson-client`, thinned with
// `topojson-simplify` (Visvalingam), label points placed with `polylabel` (ISC, all three).
// None of these is needed to build a page: Python only reads the committed GeoJSON.
//
//   dir=$(mktemp -d) && (cd "$dir" && npm init -y >/dev/null &&
//     npm install --no-save world-atlas@2.0.2 topojson-client@3.1.0 \
//       topojson-simplify@3.0.3 polylabel@1.1.0)
//   node scripts/make_basemap.mjs "$dir/node_modules" > geo/data/basemap/basemap.geojson
//
// The output is one RFC 7946 FeatureCollection: a "land" MultiPolygon (its outline is the
// coastline), a "borders" MultiLineString (land borders between countries, each drawn
// once) and one Point per country with its name and the zoom from which to label it.
// Coordinates are rounded to PRECISION decimals (0.01° ≈ 1 km, finer than 1:50m).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const PRECISION = 2;
const MIN_WEIGHT = 0.01; // Visvalingam triangle area (deg²) below which a vertex is dropped
const MIN_RING_AREA = 0.02; // deg²: islands smaller than this are left out
const LABEL_ZOOMS = [[400, 2], [60, 3], [12, 4], [2, 5], [0, 6]]; // largest part (deg²) → zoom

const modules = process.argv[2];
if (!modules) {
  console.error("usage: node scripts/make_basemap.mjs NODE_MODULES_DIR > basemap.geojson");
  process.exit(2);
}
const require = createRequire(join(modules, "noop.js"));
const topojson = require("topojson-client");
const simplify = require("topojson-simplify");
const polylabel = require("polylabel");
const atlas = JSON.parse(readFileSync(join(modules, "world-atlas", "package.json"), "utf8"));
const read = (name) => JSON.parse(readFileSync(join(modules, "world-atlas", name), "utf8"));

const round = (value) => Math.round(value * 10 ** PRECISION) / 10 ** PRECISION + 0;
function line(points) {
  const out = [];
  for (const [x, y] of points) {
    const p = [round(x), round(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}
// A ring or line that crosses the antimeridian jumps from 180 to -180; drawn as it is, it
// becomes a band across the whole world. Continue it past 180 instead (Leaflet draws
// longitudes beyond ±180 in place). Antarctica, which runs along the whole edge, stays.
function unwrap(points) {
  if (points.some(([, y]) => y < -85)) return points;
  const out = [points[0]];
  for (let i = 1; i < points.length; i++) {
    let [x, y] = points[i];
    const previous = out[i - 1][0];
    while (x - previous > 180) x -= 360;
    while (previous - x > 180) x += 360;
    out.push([x, y]);
  }
  // Keep the middle of the shape in [-180, 180]: Chukotka at 190°, not Europe at -340°.
  const xs = out.map(([x]) => x);
  const middle = (Math.min(...xs) + Math.max(...xs)) / 2;
  const shift = middle > 180 ? -360 : middle < -180 ? 360 : 0;
  return shift ? out.map(([x, y]) => [x + shift, y]) : out;
}
function ringArea(ring) {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  }
  return sum / 2; // > 0 for counter-clockwise rings (RFC 7946 exteriors)
}
function polygons(geometry) {
  if (!geometry) return [];
  return geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
}

function thin(topology) {
  const weighted = simplify.presimplify(topology);
  return simplify.simplify(weighted, MIN_WEIGHT);
}

const landTopo = thin(read("land-50m.json"));
const countriesTopo = read("countries-50m.json");
const thinCountries = thin(countriesTopo);

const land = [];
for (const polygon of polygons(topojson.merge(landTopo, landTopo.objects.land.geometries))) {
  const rings = polygon.map((ring) => line(unwrap(ring))).filter((ring) => ring.length >= 4);
  if (!rings.length || Math.abs(ringArea(rings[0])) < MIN_RING_AREA) continue;
  land.push(rings);
}
const borders = topojson
  .mesh(thinCountries, thinCountries.objects.countries, (a, b) => a !== b)
  .coordinates.map((part) => line(unwrap(part)))
  .filter((part) => part.length >= 2);

const labels = [];
for (const country of topojson.feature(countriesTopo, countriesTopo.objects.countries).features) {
  const parts = polygons(country.geometry);
  if (!parts.length || !country.properties.name) continue;
  const largest = parts.reduce((a, b) => (Math.abs(ringArea(b[0])) > Math.abs(ringArea(a[0])) ? b : a));
  const area = Math.abs(ringArea(largest[0]));
  if (area < 0.5) continue; // too small to label at the zooms a story is read at
  const [lon, lat] = polylabel(largest, 0.05);
  const minzoom = LABEL_ZOOMS.find(([limit]) => area >= limit)[1];
  labels.push({ name: country.properties.name, lon: round(lon), lat: round(lat), minzoom, area });
}
labels.sort((a, b) => b.area - a.area || (a.name < b.name ? -1 : 1));

const features = [
  { type: "Feature", properties: { layer: "land" }, geometry: { type: "MultiPolygon", coordinates: land } },
  { type: "Feature", properties: { layer: "borders" }, geometry: { type: "MultiLineString", coordinates: borders } },
  ...labels.map(({ name, lon, lat, minzoom }) => ({
    type: "Feature",
    properties: { layer: "label", name, minzoom },
    geometry: { type: "Point", coordinates: [lon, lat] },
  })),
];
const source = `Natural Earth 1:50m land and countries (public domain) via world-atlas ${atlas.version}`;
const lines = features.map((feature) => JSON.stringify(feature));
process.stdout.write(
  `{"type":"FeatureCollection","source":${JSON.stringify(source)},"features":[\n${lines.join(",\n")}\n]}\n`
);
