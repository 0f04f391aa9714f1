/** Web-Mercator (XYZ, slippy-map) tile math; coordinates are [lng, lat]. */

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** The deepest zoom a tile address may have. */
export const MAX_TILE_ZOOM = 24;

/** Whether z/x/y names a real tile: integers, 0 ≤ z ≤ 24 and 0 ≤ x, y < 2^z. */
export function isValidTile({ z, x, y }: TileAddress): boolean {
  if (![z, x, y].every(Number.isInteger)) return false;
  if (z < 0 || z > MAX_TILE_ZOOM) return false;
  const n = 2 ** z;
  return x >= 0 && x < n && y >= 0 && y < n;
}

/**
 * The tile's [west, south, east, north] bounds in degrees.
 * @example tileToBbox({ z: 0, x: 0, y: 0 }) // [-180, -85.0511…, 180, 85.0511…]
 */
export function tileToBbox(tile: TileAddress): [number, number, number, number] {
  if (!isValidTile(tile)) throw new RangeError(`Not a tile: ${tile.z}/${tile.x}/${tile.y}`);
  const n = 2 ** tile.z;
  const lng = (x: number) => (x / n) * 360 - 180;
  const lat = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  return [lng(tile.x), lat(tile.y + 1), lng(tile.x + 1), lat(tile.y)];
}

/**
 * The tile at zoom z that contains the point [lng, lat].
 * @example lngLatToTile([108.0383, 12.6667], 14) // { z: 14, x: 13108, y: 7610 }
 */
export function lngLatToTile([lng, lat]: [number, number], z: number): TileAddress {
  if (!Number.isFinite(lng) || !Number.isFinite(lat) || lng < -180 || lng > 180 || Math.abs(lat) > 85.0511287798) {
    throw new RangeError(`Not a Web-Mercator [lng, lat]: [${lng}, ${lat}]`);
  }
  if (!Number.isInteger(z) || z < 0 || z > MAX_TILE_ZOOM) throw new RangeError(`Zoom must be 0–${MAX_TILE_ZOOM}: ${z}`);
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  const x = Math.min(n - 1, Math.floor(((lng + 180) / 360) * n));
  const y = Math.min(n - 1, Math.max(0, Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)));
  return { z, x, y };
}
