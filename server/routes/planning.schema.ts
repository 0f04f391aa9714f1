import { z } from 'zod';
import { latitude, longitude } from './areas.schema.js';

export const PlanningLookupQuery = z.object({ lat: latitude, lon: longitude });

const tileNumber = (name: string) =>
  z.string().regex(/^\d{1,8}$/, `${name} must be a whole number`).transform(Number);

export const PlanningTileParams = z.object({
  z: tileNumber('z'),
  x: tileNumber('x'),
  y: z.string().regex(/^\d{1,8}\.mvt$/, 'y must be a whole number followed by .mvt').transform((v) => Number(v.slice(0, -4))),
});

/** `cache=off` skips the in-memory tile cache (used by the bench to measure cold tiles). */
export const PlanningTileQuery = z.object({
  cache: z.enum(['on', 'off'], { error: 'cache must be on or off' }).default('on'),
});
