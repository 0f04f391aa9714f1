/**
 * Builds fixtures/geography/sea.geojson: the sea off the province's coast, which
 * the OSM tiles lack (their build had no coastline). It is the water box east of
 * the coast minus every province that reaches into it.
 *
 *   npx tsx scripts/basemap-sea.ts <path to vn_provinces_2025.geojson>
 */
import fs from 'node:fs';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';

// West of 108.6 E there is only land, some of it outside Vietnam (no polygons for it).
const BOX: [number, number, number, number] = [108.6, 11.5, 111, 14.5];

const provinces = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as FeatureCollection<Polygon | MultiPolygon>;
const box = turf.bboxPolygon(BOX);
const near = provinces.features.filter((p) => turf.booleanIntersects(p, box));
let sea: Feature<Polygon | MultiPolygon> | null = box;
for (const province of near) sea = sea && turf.difference(turf.featureCollection([sea, province]));
if (!sea) throw new Error('no sea left');
// Slivers between neighbouring provinces' reference outlines are not sea.
const parts = turf.flatten(sea).features.filter((part) => turf.area(part) > 2_000_000);
const simple = parts.map((part) => turf.truncate(turf.simplify(part, { tolerance: 0.0005, highQuality: true }), { precision: 5 }));
const ocean = turf.combine(turf.featureCollection(simple)).features[0];
ocean.properties = { class: 'ocean' };
fs.writeFileSync('fixtures/geography/sea.geojson', JSON.stringify(turf.featureCollection([ocean])) + '\n');
console.log(`sea from ${near.map((p) => p.properties?.name).join(', ')}: ${fs.statSync('fixtures/geography/sea.geojson').size} bytes`);
