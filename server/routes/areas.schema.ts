import { z } from 'zod';
import { messageKey as k } from '../messages.js';

export const latitude = z.coerce
  .number({ error: k('input.lat_number') })
  .refine(Number.isFinite, k('input.lat_finite'))
  .min(-90, k('input.lat_range'))
  .max(90, k('input.lat_range'));
export const longitude = z.coerce
  .number({ error: k('input.lon_number') })
  .refine(Number.isFinite, k('input.lon_finite'))
  .min(-180, k('input.lon_range'))
  .max(180, k('input.lon_range'));

export const AreasAtQuery = z.object({ lat: latitude, lon: longitude });

export const AreasQuery = z.object({
  level: z.enum(['province', 'district', 'ward'], { error: 'level must be province, district or ward' }),
  parent: z.string().regex(/^\d{2,5}$/, 'parent must be an area code').optional(),
  zoom: z.coerce.number({ error: 'zoom must be a number' }).min(0, 'zoom must be 0–22').max(22, 'zoom must be 0–22').default(8),
});
