import type { FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import type { AreaCollection, AreaProperties } from '../api.js';

export type TintedCollection = FeatureCollection<Polygon | MultiPolygon, AreaProperties & { tint: string }>;

/** Soft fills for former districts: distinct enough to tell apart, quiet enough to sit under data. */
export const DISTRICT_TINTS = ['#eef2f8', '#e9f2ec', '#f5f0e6', '#e6eef9', '#f3ecf2', '#e7f3f3'] as const;

/**
 * Gives each area a tint that differs from its neighbours' (greedy colouring,
 * largest areas first). Neighbours are areas sharing a vertex, which holds
 * for our boundaries since they are unions of one simplified ward coverage.
 */
export function tintAreas(collection: AreaCollection): Map<string, string> {
  const areasAtVertex = new Map<string, Set<string>>();
  const visit = (ring: Position[], code: string) => {
    for (const [lng, lat] of ring) {
      const key = `${lng.toFixed(5)},${lat.toFixed(5)}`;
      const set = areasAtVertex.get(key) ?? new Set<string>();
      set.add(code);
      areasAtVertex.set(key, set);
    }
  };
  for (const f of collection.features) {
    const g = f.geometry;
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    for (const polygon of polygons) for (const ring of polygon) visit(ring, f.properties.code);
  }

  const neighbours = new Map<string, Set<string>>();
  for (const codes of areasAtVertex.values()) {
    for (const a of codes) {
      const set = neighbours.get(a) ?? new Set<string>();
      for (const b of codes) if (b !== a) set.add(b);
      neighbours.set(a, set);
    }
  }

  const tints = new Map<string, string>();
  const byArea = [...collection.features].sort((a, b) => b.properties.area_km2 - a.properties.area_km2);
  for (const f of byArea) {
    const code = f.properties.code;
    const taken = new Set([...(neighbours.get(code) ?? [])].map((n) => tints.get(n)));
    tints.set(code, DISTRICT_TINTS.find((t) => !taken.has(t)) ?? DISTRICT_TINTS[0]);
  }
  return tints;
}

/** A copy of the collection whose features carry a `tint` colour for the fill layer. */
export function withTints(collection: AreaCollection): TintedCollection {
  const tints = tintAreas(collection);
  return {
    ...collection,
    features: collection.features.map((f) => ({ ...f, properties: { ...f.properties, tint: tints.get(f.properties.code)! } })),
  };
}
