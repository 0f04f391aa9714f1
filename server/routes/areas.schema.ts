import { z } from 'zod';

export const latitude = z.coerce
  .number({ error: 'lat must be a number' })
  .refine(Number.isFinite, 'lat must be a finite number')
  .min(-90, 'lat must be between -90 and 90')
  .max(90, 'lat must be between -90 and 90');
export const longitude = z.coerce
  .number({ error: 'lon must be a number' })
  .refine(Number.isFinite, 'lon must be a finite number')
  .min(-180, 'lon must be between -180 and 180')
  .max(180, 'lon must be between -180 and 180');

export const AreasAtQuery = z.object({ lat: latitude, lon: longitude });

export const AreasQuery = z.object({
  level: z.enum(['province', 'district', 'ward'], { error: 'level must be province, district or ward' }),
  parent: z.string().regex(/^\d{2,5}$/, 'parent must be an area code').optional(),
  zoom: z.coerce.number({ error: 'zoom must be a number' }).min(0, 'zoom must be 0–22').max(22, 'zoom must be 0–22').default(8),
});
