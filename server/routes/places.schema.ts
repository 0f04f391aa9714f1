import { z } from 'zod';
import { messageKey as k } from '../messages.js';
import { latitude, longitude } from './areas.schema.js';

/** "lat,lon" as the dashboard sends the map's centre; the answer ranks what is close first. */
const near = z
  .string()
  .regex(/^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$/, k('input.place_near'))
  .transform((value) => value.split(',').map(Number) as [number, number])
  .refine(([lat]) => lat >= -90 && lat <= 90, k('input.lat_range'))
  .refine(([, lon]) => lon >= -180 && lon <= 180, k('input.lon_range'))
  .transform(([lat, lon]) => [lon, lat] as [number, number]);

export const PlaceSearchQuery = z.object({
  q: z.string({ error: k('input.place_query') }).trim().min(1, k('input.place_query')).max(100, k('input.place_query_long')),
  limit: z.coerce.number({ error: k('input.place_limit') }).int(k('input.place_limit')).min(1, k('input.place_limit')).max(20, k('input.place_limit')).default(8),
  near: near.optional(),
});

export const PlaceReverseQuery = z.object({ lat: latitude, lon: longitude });
