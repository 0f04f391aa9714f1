import { z } from 'zod';
import { FONT_STACKS, SPRITE_FILES } from '../services/basemap.js';

const tileNumber = (name: string) => z.string().regex(/^\d{1,8}$/, `${name} must be a whole number`).transform(Number);

export const BasemapTileParams = z.object({
  z: tileNumber('z'),
  x: tileNumber('x'),
  y: z.string().regex(/^\d{1,8}\.pbf$/, 'y must be a whole number followed by .pbf').transform((v) => Number(v.slice(0, -4))),
});

export const BasemapGlyphParams = z.object({
  stack: z.enum(FONT_STACKS, { error: `font must be one of: ${FONT_STACKS.join(', ')}` }),
  range: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}\.pbf$/, 'range must look like 0-255.pbf')
    .transform((v) => v.slice(0, -4).split('-').map(Number) as [number, number])
    .refine(([start, end]) => start % 256 === 0 && end === start + 255 && end <= 65535, 'range must be a 256-character block such as 7680-7935.pbf')
    .transform(([start]) => start),
});

export const BasemapSpriteParams = z.object({
  file: z.enum(SPRITE_FILES, { error: `sprite must be one of: ${SPRITE_FILES.join(', ')}` }),
});
