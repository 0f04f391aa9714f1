import { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress';
import { createMiddleware } from 'hono/factory';
import { parseAccept } from 'hono/utils/accept';

/** Text, plus vector tiles: MVT is protobuf, whose repeated keys and tags shrink by half or more. */
const MVT_TYPE = /^\s*application\/(?:x-protobuf|vnd\.mapbox-vector-tile)(?:[;\s]|$)/i;
/** Below this a compressed body saves less than the header costs. */
const THRESHOLD_BYTES = 1024;
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;
const VARY_ACCEPT_ENCODING = /(?:^|,)\s*accept-encoding\s*(?:,|$)/i;

type Encoding = 'br' | 'gzip';

/** The client's preferred encoding among ours, brotli first on a tie; undefined for identity. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const accepts = parseAccept(acceptEncoding);
  const q = (name: string) => accepts.find((a) => a.type.toLowerCase() === name)?.q ?? accepts.find((a) => a.type === '*')?.q ?? 0;
  const br = q('br');
  const gzip = q('gzip');
  if (br > 0 && br >= gzip) return 'br';
  if (gzip > 0) return 'gzip';
  return undefined;
}

function compressible(res: Response): boolean {
  const type = res.headers.get('Content-Type');
  if (!type || /^\s*text\/event-stream/i.test(type)) return false;
  return COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type) || MVT_TYPE.test(type);
}

function encoder(encoding: Encoding, sizeHint: number | undefined): zlib.BrotliCompress | zlib.Gzip {
  if (encoding === 'gzip') return zlib.createGzip({ level: 6 });
  // Quality 5: most of brotli's gain for a fraction of the CPU of 11, which only pays for build-time assets.
  return zlib.createBrotliCompress({
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
      ...(sizeHint ? { [zlib.constants.BROTLI_PARAM_SIZE_HINT]: sizeHint } : {}),
    },
  });
}

/**
 * Compresses text answers (HTML, JS, CSS, JSON, GeoJSON, XML, SVG, MVT) with
 * brotli or gzip, whichever the client prefers, streaming. Hono's compress()
 * knows only gzip and deflate. Left alone: answers already encoded (the
 * pre-compressed static files), partial content and range requests (the bytes
 * must match the ranges), server-sent events (a compressor would hold the
 * events back), HEAD, no-transform, and bodies known to be under 1 KB.
 */
export const compression = () =>
  createMiddleware(async (c, next) => {
    await next();
    const res = c.res;
    if (!res.body || c.req.method === 'HEAD' || res.status === 206 || c.req.header('Range')) return;
    if (res.headers.has('Content-Encoding') || !compressible(res)) return;
    if (NO_TRANSFORM.test(res.headers.get('Cache-Control') ?? '')) return;
    const length = res.headers.get('Content-Length');
    // Without a length (most API answers) the body is compressed: a small one grows by a few bytes at worst.
    if (length !== null && Number(length) < THRESHOLD_BYTES) return;

    // The answer depends on Accept-Encoding even when it goes out plain: caches must keep both.
    const vary = res.headers.get('Vary');
    if (vary !== '*' && !(vary && VARY_ACCEPT_ENCODING.test(vary))) res.headers.set('Vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');

    const encoding = chooseEncoding(c.req.header('Accept-Encoding'));
    if (!encoding) return;
    const stream = Duplex.toWeb(encoder(encoding, length === null ? undefined : Number(length))) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
    c.res = new Response(res.body.pipeThrough(stream), res);
    c.res.headers.delete('Content-Length');
    c.res.headers.set('Content-Encoding', encoding);
    const etag = c.res.headers.get('ETag');
    if (etag && !etag.startsWith('W/')) c.res.headers.set('ETag', `W/${etag}`);
  });
