import type { LngLat } from './types.js';

/** Throws unless the value is a finite [lng, lat] pair within WGS84 bounds. */
export function assertLngLat(point: unknown): asserts point is LngLat {
  if (!Array.isArray(point) || point.length < 2) throw new Error('Expected a [lng, lat] pair');
  const [lng, lat] = point;
  if (typeof lng !== 'number' || !Number.isFinite(lng) || lng < -180 || lng > 180) {
    throw new Error(`Longitude must be a number in [-180, 180], got ${String(lng)}`);
  }
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new Error(`Latitude must be a number in [-90, 90], got ${String(lat)}`);
  }
}
