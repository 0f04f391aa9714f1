import crypto from 'node:crypto';
import GeoJSONVT from 'geojson-vt';
import type { Kysely } from 'kysely';
import { fromGeojsonVt } from 'vt-pbf';
import type { Database } from '../db/database.js';
import { capabilitiesOf } from '../db/engine.js';
import { findPlanningVersion, findTileFeatures, findTileMvt } from '../db/planning.repo.js';
import { DomainError } from '../errors.js';
import { isValidTile, type TileAddress } from '../../spatial/tile-bounds.js';

/** Feature cap per tile: beyond it the least important (least detailed plan, smallest) zones are dropped. */
export const TILE_FEATURE_CAP = 2000;
export const TILE_LAYER = 'planning';
const EXTENT = 4096;
const BUFFER = 64;

export interface PlanningTile {
  body: Uint8Array;
  etag: string;
}

/** A small LRU of encoded tiles; Map keeps insertion order, so re-inserting on a hit keeps it hot. */
class TileLru {
  #map = new Map<string, PlanningTile>();
  constructor(private readonly max: number) {}
  get(key: string) {
    const hit = this.#map.get(key);
    if (hit) {
      this.#map.delete(key);
      this.#map.set(key, hit);
    }
    return hit;
  }
  set(key: string, tile: PlanningTile) {
    this.#map.set(key, tile);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!);
  }
  clear() {
    this.#map.clear();
  }
  get size() {
    return this.#map.size;
  }
}

interface CacheState {
  lru: TileLru;
  version: string;
  checkedAt: number;
}
const caches = new WeakMap<Kysely<Database>, CacheState>();
/** Another process (the import CLI) may change plans: re-check the data fingerprint at most this often. */
const VERSION_CHECK_MS = 2000;

/** Drops every cached tile of this database; the importer calls it after a commit. */
export function invalidatePlanningTiles(db: Kysely<Database>): void {
  const state = caches.get(db);
  if (state) {
    state.lru.clear();
    state.checkedAt = 0;
  }
}

async function cacheFor(db: Kysely<Database>): Promise<CacheState> {
  let state = caches.get(db);
  if (!state) {
    state = { lru: new TileLru(4000), version: '', checkedAt: 0 };
    caches.set(db, state);
  }
  const now = Date.now();
  if (now - state.checkedAt > VERSION_CHECK_MS) {
    state.checkedAt = now;
    const version = await findPlanningVersion(db);
    if (version !== state.version) {
      state.lru.clear();
      state.version = version;
    }
  }
  return state;
}

/** Encodes in JS what ST_AsMVT would: same selection, clipped by PostGIS, tiled by geojson-vt, written by vt-pbf. */
export async function encodeTileInJs(db: Kysely<Database>, { z, x, y }: TileAddress, cap: number): Promise<Uint8Array> {
  const rows = await findTileFeatures(db, z, x, y, cap);
  if (rows.length === 0) return new Uint8Array(0);
  const collection: GeoJSON.FeatureCollection = {
    type: 'FeatureCollection',
    features: rows.map((r) => ({
      type: 'Feature',
      id: r.id,
      properties: { code: r.code, plan_id: r.plan_id, level: r.level, color: r.color, demo: r.demo },
      geometry: JSON.parse(r.geometry),
    })),
  };
  // Build only the requested zoom: the input is already clipped to this tile.
  const index = new GeoJSONVT(collection, { maxZoom: z, indexMaxZoom: z, indexMaxPoints: 0, tolerance: 0, extent: EXTENT, buffer: BUFFER });
  const tile = index.getTile(z, x, y);
  if (!tile || tile.features.length === 0) return new Uint8Array(0);
  return fromGeojsonVt({ [TILE_LAYER]: tile }, { version: 2, extent: EXTENT });
}

/** Encodes one tile with whatever the engine supports. */
export async function encodePlanningTile(db: Kysely<Database>, tile: TileAddress, cap = TILE_FEATURE_CAP): Promise<Uint8Array> {
  const caps = await capabilitiesOf(db);
  if (caps.asMvt) return findTileMvt(db, tile.z, tile.x, tile.y, cap);
  return encodeTileInJs(db, tile, cap);
}

/** One planning tile, from the LRU unless `cache` is false (the bench's cold runs). */
export async function planningTile(db: Kysely<Database>, tile: TileAddress, options: { cache?: boolean } = {}): Promise<PlanningTile> {
  if (!isValidTile(tile)) {
    throw new DomainError('validation_failed', 'Some fields are invalid', { tile: `${tile.z}/${tile.x}/${tile.y} is not a tile: z must be 0–24 and x, y 0–2^z−1` });
  }
  const key = `${tile.z}/${tile.x}/${tile.y}`;
  const state = options.cache === false ? undefined : await cacheFor(db);
  const hit = state?.lru.get(key);
  if (hit) return hit;
  const body = await encodePlanningTile(db, tile);
  const result = { body, etag: `"${crypto.createHash('sha1').update(body).digest('base64url').slice(0, 22)}"` };
  state?.lru.set(key, result);
  return result;
}
