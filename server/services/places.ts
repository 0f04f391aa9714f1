import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bbox as turfBbox, distance, length, pointToLineDistance } from '@turf/turf';
import type { Feature, FeatureCollection, LineString, MultiPolygon, Point } from 'geojson';
import type { Kysely } from 'kysely';
import MiniSearch, { type SearchResult } from 'minisearch';
import { foldText, matchKey } from '../../spatial/fold-text.js';
import { locateInAreas } from '../../spatial/locate-in-areas.js';
import type { LngLat } from '../../spatial/types.js';
import { findAreasAt, listAreaFeatures } from '../db/areas.repo.js';
import type { Database } from '../db/database.js';
import { outsideRegion } from '../errors.js';

export const OSM_DIR = fileURLToPath(new URL('../../fixtures/osm-daklak/', import.meta.url));

export type PlaceKind = 'ward' | 'street' | 'place' | 'poi' | 'housenumber';
type Bbox = [number, number, number, number];

export interface PlaceWard {
  code: string;
  /** "Phường Buôn Ma Thuột" */
  name: string;
  /** "Buon Ma Thuot Ward" */
  name_en: string;
}

/** One search answer, as the API sends it. */
export interface Place {
  kind: PlaceKind;
  name: string;
  ward: PlaceWard;
  center: LngLat;
  bbox?: Bbox;
  /** OSM's subclass of a POI or place ("marketplace", "school", "village"). */
  category?: string;
}

export interface ReverseAnswer {
  /** "12 Lê Duẩn", or the street alone when no house number is near; null when no named street is near either. */
  address: string | null;
  street: { name: string; distance_m: number } | null;
  housenumber: { number: string; distance_m: number } | null;
  ward: PlaceWard;
}

interface PlaceDoc extends Place {
  id: number;
  /** matchKey of the name: what the query is compared with. */
  key: string;
  /** Breaks ties between equal matches: longer streets, bigger places, wards. */
  importance: number;
}

interface StreetPiece {
  name: string;
  line: Feature<LineString>;
  box: Bbox;
}

interface HouseNumber {
  number: string;
  point: LngLat;
}

/** Wards and streets come before places and POIs of the same match quality: they are what people mean by "where". */
const KIND_ORDER: Record<PlaceKind, number> = { ward: 0, street: 1, place: 2, poi: 3, housenumber: 4 };
const PLACE_IMPORTANCE: Record<string, number> = { city: 6, town: 5, suburb: 4, quarter: 3, village: 2, hamlet: 1 };

/** Beyond this the nearest street is not "near" the pin, and the answer names the ward alone. */
const STREET_NEAR_M = 250;
/** A house number further than this from the pin would name the wrong house. */
const HOUSE_NEAR_M = 60;
/** About 300 m in degrees at this latitude: bounding boxes further than this cannot hold the nearest street. */
const STREET_BOX_PAD = 0.003;
/** Two POIs of the same name in the same ward closer than this are one place mapped twice ("Ga La Hai" as station and attraction). */
const SAME_POI_M = 200;

/** A ward as the index needs it: names, label point and outline (the display simplification is plenty to place a street in). */
export interface WardShape {
  code: string;
  fullNameVi: string;
  fullNameEn: string;
  label: LngLat;
  geometry: MultiPolygon;
}

export interface PlaceIndex {
  search(query: string, options: { limit: number; near?: LngLat }): Place[];
  /** The nearest named street and house number; the ward is the caller's, found by the same test a report's pin gets. */
  nearby(point: LngLat): Pick<ReverseAnswer, 'address' | 'street' | 'housenumber'>;
  wardByCode: Map<string, PlaceWard>;
  size: number;
}

const readGeoJson = <G extends Point | LineString>(file: string): FeatureCollection<G, Record<string, string | number | undefined>> =>
  JSON.parse(fs.readFileSync(file, 'utf8'));

const nfc = (value: unknown) => (typeof value === 'string' ? value.normalize('NFC').trim() : '');

/**
 * Builds the place index from the OSM extract and the 2025 wards: every
 * feature gets the ward it lies in (features outside the province are left
 * out), street pieces are grouped by name within a ward, so Lê Duẩn in Buôn
 * Ma Thuột and Lê Duẩn in Tuy Hòa are two answers.
 */
export function buildPlaceIndex(wards: WardShape[], osmDir = OSM_DIR): PlaceIndex {
  const wardByCode = new Map(wards.map((w) => [w.code, { code: w.code, name: w.fullNameVi, name_en: w.fullNameEn }]));
  const locate = locateInAreas(wards.map((w) => ({ type: 'Feature' as const, properties: w.code, geometry: w.geometry })));
  const wardOf = (point: LngLat): PlaceWard | undefined => {
    const code = locate(point)?.properties;
    return code === undefined ? undefined : wardByCode.get(code);
  };

  const docs: PlaceDoc[] = [];
  const add = (doc: Omit<PlaceDoc, 'id' | 'key'>) => {
    const key = matchKey(doc.name);
    if (key) docs.push({ ...doc, id: docs.length, key });
  };

  for (const w of wards) {
    add({ kind: 'ward', name: w.fullNameVi, ward: wardByCode.get(w.code)!, center: w.label, bbox: turfBbox(w.geometry) as Bbox, importance: 1e6 });
  }

  const pieces: StreetPiece[] = [];
  const streets = new Map<string, { names: Map<string, number>; ward: PlaceWard; lines: Feature<LineString>[] }>();
  for (const f of readGeoJson<LineString>(`${osmDir}roads_named.geojson`).features) {
    const name = nfc(f.properties.name);
    if (!name) continue; // a bare route number ("26") names no street anyone would search for
    const coords = f.geometry.coordinates;
    const ward = wardOf(coords[Math.floor(coords.length / 2)] as LngLat);
    if (!ward) continue;
    pieces.push({ name, line: f, box: turfBbox(f.geometry) as Bbox });
    const groupKey = `${matchKey(name)}|${ward.code}`;
    const group = streets.get(groupKey) ?? { names: new Map<string, number>(), ward, lines: [] as Feature<LineString>[] };
    group.names.set(name, (group.names.get(name) ?? 0) + 1);
    group.lines.push(f);
    streets.set(groupKey, group);
  }
  for (const group of streets.values()) {
    const collection: FeatureCollection<LineString> = { type: 'FeatureCollection', features: group.lines };
    const box = turfBbox(collection) as Bbox;
    add({
      kind: 'street',
      // OSM spells a street differently from piece to piece; show the spelling most pieces use.
      name: [...group.names].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0],
      ward: group.ward, center: vertexNearest(group.lines, [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2]), bbox: box,
      importance: length(collection, { units: 'kilometers' }),
    });
  }

  for (const f of readGeoJson<Point>(`${osmDir}places.geojson`).features) {
    const name = nfc(f.properties.name);
    const center = f.geometry.coordinates as LngLat;
    const ward = name && wardOf(center);
    if (!ward) continue;
    const category = String(f.properties.class ?? '');
    add({ kind: 'place', name, ward, center, category, importance: PLACE_IMPORTANCE[category] ?? 0 });
  }

  const poisByName = new Map<string, LngLat[]>();
  for (const f of readGeoJson<Point>(`${osmDir}pois.geojson`).features) {
    const name = nfc(f.properties.name);
    const center = f.geometry.coordinates as LngLat;
    const ward = name && wardOf(center);
    if (!ward) continue;
    const sameName = `${matchKey(name)}|${ward.code}`;
    const seen = poisByName.get(sameName) ?? [];
    if (seen.some((p) => distance(p, center, { units: 'meters' }) < SAME_POI_M)) continue;
    poisByName.set(sameName, [...seen, center]);
    const category = nfc(f.properties.subclass ?? f.properties.class) || undefined;
    // OSM's rank: lower is more prominent.
    add({ kind: 'poi', name, ward, center, category, importance: -Number(f.properties.rank ?? 99) });
  }

  const houses: HouseNumber[] = [];
  for (const f of readGeoJson<Point>(`${osmDir}housenumbers.geojson`).features) {
    const number = nfc(f.properties.housenumber);
    const point = f.geometry.coordinates as LngLat;
    if (!number) continue;
    houses.push({ number, point });
    // "158 Lê Duẩn" is an address one can search for; a bare "65" is not.
    const ward = /\p{L}{2}/u.test(number) ? wardOf(point) : undefined;
    if (ward) add({ kind: 'housenumber', name: number, ward, center: point, importance: 0 });
  }

  const index = new MiniSearch<PlaceDoc>({
    fields: ['key'],
    // Keys are folded already; folding again is a no-op for them and folds the query's words.
    processTerm: (term) => foldText(term) || null,
  });
  index.addAll(docs);

  return {
    size: docs.length,
    wardByCode,
    search: (query, options) => search(index, docs, query, options),
    nearby: (point) => nearby(point, pieces, houses),
  };
}

/** The vertex of the lines nearest a point: a street's centre that lies on the street, not beside a bend. */
function vertexNearest(lines: Feature<LineString>[], target: LngLat): LngLat {
  let best: LngLat = lines[0].geometry.coordinates[0] as LngLat;
  let bestD = Infinity;
  for (const line of lines) {
    for (const c of line.geometry.coordinates) {
      const d = (c[0] - target[0]) ** 2 + (c[1] - target[1]) ** 2;
      if (d < bestD) [best, bestD] = [c as LngLat, d];
    }
  }
  return best;
}

/**
 * How well a result matches: 0 the whole name, 1 the name's beginning, 2
 * every word (the last as a prefix), 3 only with typos forgiven.
 */
function matchTier(docKey: string, queryKey: string): number {
  if (docKey === queryKey) return 0;
  if (docKey.startsWith(queryKey)) return 1;
  const words = docKey.split(' ');
  const terms = queryKey.split(' ');
  const found = terms.every((t, i) => words.some((w) => w === t || (i === terms.length - 1 && w.startsWith(t))));
  return found ? 2 : 3;
}

function search(index: MiniSearch<PlaceDoc>, docs: PlaceDoc[], query: string, options: { limit: number; near?: LngLat }): Place[] {
  const queryKey = matchKey(query);
  if (!queryKey) return [];
  // The word being typed is a prefix; the words before it are finished.
  const prefix = (_term: string, i: number, terms: string[]) => i === terms.length - 1;
  const results: SearchResult[] = index.search(queryKey, { combineWith: 'AND', prefix });
  // Typos are forgiven only when the letters as typed find too little: the fuzzy pass costs several times more.
  if (results.length < options.limit) {
    const seen = new Set(results.map((r) => r.id));
    const fuzzy = index.search(queryKey, {
      combineWith: 'AND',
      prefix,
      // Two edits from 4 letters, so a swapped pair ("duna" for "duan") is forgiven; none in 1–2 letter words ("le").
      fuzzy: (term) => (term.length >= 4 ? 2 : term.length === 3 ? 1 : false),
    });
    results.push(...fuzzy.filter((r) => !seen.has(r.id)));
  }
  const { near } = options;
  const ranked = results.map((r) => {
    const doc = docs[r.id as number];
    return { doc, score: r.score, tier: matchTier(doc.key, queryKey), away: near ? distance(near, doc.center) : 0 };
  });
  ranked.sort((a, b) => a.tier - b.tier || KIND_ORDER[a.doc.kind] - KIND_ORDER[b.doc.kind] || a.away - b.away
    || b.score - a.score || b.doc.importance - a.doc.importance);
  return ranked.slice(0, options.limit).map(({ doc }) => toPlace(doc));
}

function toPlace({ kind, name, ward, center, bbox, category }: PlaceDoc): Place {
  return { kind, name, ward, center, ...(bbox ? { bbox } : {}), ...(category ? { category } : {}) };
}

function nearby(point: LngLat, pieces: StreetPiece[], houses: HouseNumber[]): Pick<ReverseAnswer, 'address' | 'street' | 'housenumber'> {
  const [lng, lat] = point;
  let street: ReverseAnswer['street'] = null;
  for (const piece of pieces) {
    const b = piece.box;
    if (lng < b[0] - STREET_BOX_PAD || lng > b[2] + STREET_BOX_PAD || lat < b[1] - STREET_BOX_PAD || lat > b[3] + STREET_BOX_PAD) continue;
    const d = pointToLineDistance(point, piece.line, { units: 'meters' });
    if (d <= STREET_NEAR_M && (!street || d < street.distance_m)) street = { name: piece.name, distance_m: d };
  }
  let house: ReverseAnswer['housenumber'] = null;
  for (const h of houses) {
    if (Math.abs(h.point[0] - lng) > 0.001 || Math.abs(h.point[1] - lat) > 0.001) continue;
    const d = distance(point, h.point, { units: 'meters' });
    if (d <= HOUSE_NEAR_M && (!house || d < house.distance_m)) house = { number: h.number, distance_m: d };
  }
  return {
    address: addressLine(house?.number, street?.name),
    street: street && { ...street, distance_m: Math.round(street.distance_m) },
    housenumber: house && { ...house, distance_m: Math.round(house.distance_m) },
  };
}

/** "12 Lê Duẩn" from a bare number and the street; a house number that carries its own street ("41 Trung An") is the address itself. */
function addressLine(number: string | undefined, street: string | undefined): string | null {
  if (number && /\p{L}{2}/u.test(number)) return number;
  if (number && street) return `${number} ${street}`;
  return street ?? null;
}

const built = new WeakMap<Kysely<Database>, Promise<PlaceIndex>>();

/** The place index of this database's wards, built once per process on first use (startup warms it). */
export function placeIndex(db: Kysely<Database>): Promise<PlaceIndex> {
  let index = built.get(db);
  if (!index) {
    index = loadWardShapes(db).then((wards) => buildPlaceIndex(wards));
    // A failed build (no geography yet) is tried again by the next request.
    index.catch(() => built.delete(db));
    built.set(db, index);
  }
  return index;
}

async function loadWardShapes(db: Kysely<Database>): Promise<WardShape[]> {
  const rows = await listAreaFeatures(db, { level: 'ward', detail: 'mid' });
  if (!rows.length) throw new Error('No wards loaded; the place index needs the geography');
  return rows.map((r) => ({
    code: r.code, fullNameVi: r.full_name_vi, fullNameEn: r.full_name_en,
    label: JSON.parse(r.label).coordinates as LngLat, geometry: JSON.parse(r.geometry) as MultiPolygon,
  }));
}

/** Streets, POIs, places, wards and addresses whose name matches the query, best first. */
export async function searchPlaces(db: Kysely<Database>, query: string, options: { limit: number; near?: LngLat }): Promise<Place[]> {
  return (await placeIndex(db)).search(query, options);
}

/**
 * The nearest named street and house number to a point, and the ward it lies
 * in; outside_region outside the province. The ward comes from the same
 * PostGIS test a report's pin gets, so the citizen sees the ward the report
 * will be filed under.
 */
export async function reversePlace(db: Kysely<Database>, point: LngLat): Promise<ReverseAnswer> {
  const [index, areas] = await Promise.all([placeIndex(db), findAreasAt(db, point[0], point[1])]);
  const ward = areas && index.wardByCode.get(areas.ward.code);
  if (!ward) throw outsideRegion();
  return { ...index.nearby(point), ward };
}
