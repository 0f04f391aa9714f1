import { Readable } from 'node:stream';
import { Hono } from 'hono';
import parseRange from 'range-parser';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { DomainError, notFound } from '../errors.js';
import { msg } from '../messages.js';
import { findPublicMedia } from '../services/media/public-media.js';
import { validate } from './validate.js';

const MediaParam = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'id must be a media id') });
const MediaQuery = z.object({ size: z.enum(['full', 'thumb'], { error: 'size must be full or thumb' }).default('full') });

/**
 * The byte range a Range header asks for, or undefined for the whole file.
 * A header we cannot read, of another unit, or asking for several ranges is
 * ignored (RFC 9110 §14.2 lets a server answer 200 with everything); one that
 * lies wholly past the end is refused with 416.
 */
function requestedRange(header: string | undefined, bytes: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const ranges = parseRange(bytes, header, { combine: true });
  if (ranges === -1) {
    const error = new DomainError('range_not_satisfiable', msg('media.range_not_satisfiable', { bytes }));
    error.headers = { 'Content-Range': `bytes */${bytes}` };
    throw error;
  }
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  return { start: ranges[0]!.start, end: ranges[0]!.end };
}

/**
 * Serves processed media only; originals were never stored. Answers Range
 * requests: Safari on iOS plays a video only from a server that does.
 */
export const mediaRoutes = ({ db, storage }: AppDeps) =>
  new Hono().get('/:id', validate('param', MediaParam), validate('query', MediaQuery), async (c) => {
    const media = await findPublicMedia(db, c.req.valid('param').id);
    if (!media) throw notFound(msg('media.not_found'));
    const key = c.req.valid('query').size === 'thumb' && media.thumb_key ? media.thumb_key : media.storage_key;
    const file = await storage.open(key);
    if (!file) throw notFound(msg('media.not_found'));
    const etag = `"${key}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Accept-Ranges', 'bytes');
    if (c.req.header('If-None-Match') === etag) return c.body(null, 304);
    // If-Range names the version the client already holds part of; our keys never change content, but a foreign validator means "send it all".
    const ifRange = c.req.header('If-Range');
    const range = ifRange === undefined || ifRange === etag ? requestedRange(c.req.header('Range'), file.bytes) : undefined;
    c.header('Content-Type', media.mime);
    c.header('Content-Length', String(range ? range.end - range.start + 1 : file.bytes));
    if (range) c.header('Content-Range', `bytes ${range.start}-${range.end}/${file.bytes}`);
    const status = range ? 206 : 200;
    // Hono answers HEAD from this GET handler and drops the body: opening the file would leak its descriptor.
    if (c.req.method === 'HEAD') return c.body(null, status);
    return c.body(Readable.toWeb(file.read(range)) as ReadableStream, status);
  });
