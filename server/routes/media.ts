import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { findPublicMedia } from '../services/media/public-media.js';
import { validate } from './validate.js';

const MediaParam = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'id must be a media id') });
const MediaQuery = z.object({ size: z.enum(['full', 'thumb'], { error: 'size must be full or thumb' }).default('full') });

/** Serves processed media only; originals were never stored. */
export const mediaRoutes = ({ db, storage }: AppDeps) =>
  new Hono().get('/:id', validate('param', MediaParam), validate('query', MediaQuery), async (c) => {
    const media = await findPublicMedia(db, c.req.valid('param').id);
    if (!media) throw notFound('Media');
    const key = c.req.valid('query').size === 'thumb' && media.thumb_key ? media.thumb_key : media.storage_key;
    const file = await storage.open(key);
    if (!file) throw notFound('Media');
    const etag = `"${key}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('X-Content-Type-Options', 'nosniff');
    if (c.req.header('If-None-Match') === etag) {
      file.stream.destroy();
      return c.body(null, 304);
    }
    c.header('Content-Type', media.mime);
    c.header('Content-Length', String(file.bytes));
    return c.body(Readable.toWeb(file.stream) as ReadableStream);
  });
