import crypto from 'node:crypto';
import { VectorTile } from '@mapbox/vector-tile';
import type { Kysely } from 'kysely';
import Pbf from 'pbf';
import type { Database, PlanLevel } from '../../server/db/database.js';
import { insertPlan, insertZones, type NewZoneInput } from '../../server/db/planning.repo.js';

/**
 * A spot of the test's own (about 220 m square) south-east of Buôn Ma Thuột,
 * inside Đắk Lắk and outside the demo plans, so tests never share zones.
 */
export function ownSpot() {
  const n = crypto.randomBytes(4).readUInt32BE() % 2000;
  const lon = 108.11 + (n % 50) * 0.002;
  const lat = 12.56 + Math.floor(n / 50) * 0.002;
  return { lon, lat, size: 0.002 };
}

export const square = (w: number, s: number, e: number, n: number): GeoJSON.Polygon => ({
  type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
});

export async function createPlan(db: Kysely<Database>, level: PlanLevel, zones: NewZoneInput[], name = `Thử ${level}`) {
  const id = await insertPlan(db, {
    name, level, authority: 'UBND tỉnh Đắk Lắk (thử)', decision_number: `${crypto.randomBytes(2).toString('hex')}/QĐ-UBND`,
    decision_date: '2024-05-20', scale: level === 'detailed' ? '1:500' : '1:2000', status: 'in_force', source: 'test', is_demo: false,
  });
  await insertZones(db, id, zones);
  return id;
}

export interface DecodedFeature {
  id: number | undefined;
  type: number;
  properties: Record<string, string | number | boolean>;
  /** Tile-pixel bbox [minX, minY, maxX, maxY] of the geometry. */
  bbox: [number, number, number, number];
  /** The same over vertices inside the tile proper (not its buffer); null when none are. */
  visibleBbox: [number, number, number, number] | null;
}

/** Decodes an MVT body into its layers' features. */
export function decodeTile(body: Uint8Array | ArrayBuffer): Record<string, DecodedFeature[]> {
  const bytes = body instanceof Uint8Array ? body : new Uint8Array(body);
  if (bytes.length === 0) return {};
  const tile = new VectorTile(new Pbf(bytes));
  const out: Record<string, DecodedFeature[]> = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    out[name] = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const pts = f.loadGeometry().flat();
      const xs = pts.map((p) => p.x);
      const ys = pts.map((p) => p.y);
      const inside = pts.filter((p) => p.x >= 0 && p.x <= layer.extent && p.y >= 0 && p.y <= layer.extent);
      const vx = inside.map((p) => p.x);
      const vy = inside.map((p) => p.y);
      out[name].push({
        id: f.id, type: f.type, properties: f.properties,
        bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
        visibleBbox: inside.length ? [Math.min(...vx), Math.min(...vy), Math.max(...vx), Math.max(...vy)] : null,
      });
    }
  }
  return out;
}
