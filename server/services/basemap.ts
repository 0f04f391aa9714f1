import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The offline street basemap: OpenStreetMap vector tiles, label glyphs, sprites
 * and the sea polygon, all from fixtures/. Files are read per request; the OS
 * page cache keeps the 18 MB of tiles warm, and browsers cache them for a year
 * because the URL carries the version (domain/basemap.ts).
 */
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const TILES_DIR = path.join(FIXTURES, 'osm-daklak', 'tiles');
const GLYPHS_DIR = path.join(FIXTURES, 'map-glyphs');
const SPRITES_DIR = path.join(GLYPHS_DIR, 'sprites');
const SEA_FILE = path.join(FIXTURES, 'geography', 'sea.geojson');

export const BASEMAP_MAX_ZOOM = 14;
export const FONT_STACKS = ['Noto Sans Regular', 'Noto Sans Medium', 'Noto Sans Italic'] as const;
export type FontStack = (typeof FONT_STACKS)[number];
export const SPRITE_FILES = ['light.json', 'light.png', 'light@2x.json', 'light@2x.png', 'dark.json', 'dark.png', 'dark@2x.json', 'dark@2x.png'] as const;
export type SpriteFile = (typeof SPRITE_FILES)[number];

async function readIfPresent(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** One vector tile, or null where the crop has none (outside the province, or past z14). */
export function basemapTile(z: number, x: number, y: number): Promise<Buffer | null> {
  if (z > BASEMAP_MAX_ZOOM || x >= 2 ** z || y >= 2 ** z) return Promise.resolve(null);
  return readIfPresent(path.join(TILES_DIR, String(z), String(x), `${y}.pbf`));
}

/**
 * Glyphs for one 256-character range. Only the ranges Vietnamese and English
 * need are shipped; any other range is an empty glyph set (a zero-byte
 * protobuf), so a stray character costs nothing instead of a failed request.
 */
export async function basemapGlyphs(stack: FontStack, start: number): Promise<Buffer> {
  return (await readIfPresent(path.join(GLYPHS_DIR, stack, `${start}-${start + 255}.pbf`))) ?? Buffer.alloc(0);
}

export async function basemapSprite(file: SpriteFile): Promise<Buffer> {
  return fs.readFile(path.join(SPRITES_DIR, file));
}

export async function basemapSea(): Promise<Buffer> {
  return fs.readFile(SEA_FILE);
}
