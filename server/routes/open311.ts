import path from 'node:path';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps } from '../deps.js';
import { DomainError, validationFailed, zodFieldErrors } from '../errors.js';
import { authenticateApiKey } from '../services/api-keys.js';
import {
  assertJurisdiction, collectAttributes, createOpen311Request, discovery, getOpen311Request, listOpen311RequestsFor,
  listOpen311Services, listOpen311Updates, postOpen311Update, requestIdFromToken, serviceDefinition, type Open311Context,
} from '../services/open311.js';
import { RateLimited } from '../services/rate-limit.js';
import type { ReportsDeps } from '../services/reports.js';
import { removeTemporaryFiles, type UploadedFile } from '../services/media/uploads.js';
import { parseMultipart, type MultipartLimits } from './multipart.js';
import { CONTENT_TYPES, renderOpen311, toOpen311Errors, type Open311Format } from './open311-format.js';
import { JurisdictionQuery, PostRequestForm, PostUpdateForm, RequestsQuery, UpdatesQuery } from './open311.schema.js';
import { enforceRateLimit, rateLimit, requestAddress, requester } from './rate-limit.js';
import { validate } from './validate.js';

const MB = 1024 * 1024;
const UPLOAD_LIMITS: MultipartLimits = {
  files: { media: { maxFiles: 1, maxBytes: 10 * MB, label: '10 MB' } },
  maxTotalBytes: 12 * MB,
  maxFields: 80,
  maxFieldBytes: 16 * 1024,
};
const MAX_FORM_BYTES = 256 * 1024;

/** The format a path asks for by its suffix; JSON when it names none. */
export function formatOf(p: string): Open311Format {
  return p.endsWith('.xml') ? 'xml' : 'json';
}

/** "ABC.json" → ["ABC", "json"] for the {id}.{format} path segments; Hono has already percent-decoded the segment once. */
function splitFormat(segment: string): [string, Open311Format] {
  const dot = segment.lastIndexOf('.');
  return [segment.slice(0, dot), formatOf(segment)];
}

const both = (p: string) => [`${p}.json`, `${p}.xml`];

function reply(c: Context, format: Open311Format, root: string, body: unknown, status: 200 | 201 = 200) {
  return c.body(renderOpen311(format, root, body), status, { 'Content-Type': CONTENT_TYPES[format] });
}

/**
 * Open311 errors: [{code, description}] or <errors><error>, with 403/404/400
 * as the spec has them. The app's error handler uses it too for what fails
 * before this sub-app runs (URL and body limits) on an /open311 path.
 */
export function open311Error(logger: AppDeps['logger']) {
  return (err: Error, c: Context) => {
    let result;
    if (err instanceof DomainError && err.closeConnection) c.header('Connection', 'close');
    // The spec's codes have no "slow down"; a client needs the real 429 to honour Retry-After.
    if (err instanceof RateLimited) result = { status: 429 as const, errors: [{ code: 429, description: err.message }] };
    else if (err instanceof DomainError) result = toOpen311Errors(err.status, err.message, err.fields, err.code);
    else if (err instanceof HTTPException) result = toOpen311Errors(err.status, err.message || 'The request could not be read');
    else {
      logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
      result = toOpen311Errors(500, 'Something went wrong on our side. Please try again.');
    }
    const format = formatOf(c.req.path);
    return c.body(renderOpen311(format, 'errors', result.errors), result.status, { 'Content-Type': CONTENT_TYPES[format] });
  };
}

/** A POST body as fields (plus the media file): form-urlencoded or multipart, as Open311 clients send them. */
async function readForm(c: Context, tmpDir: string): Promise<{ fields: Record<string, string | string[]>; files: UploadedFile[] }> {
  const type = c.req.header('content-type') ?? '';
  // Field names are the client's: no prototype, so "constructor" or "__proto__" is just a name.
  let fields: Record<string, string | string[]> = Object.create(null);
  let files: UploadedFile[] = [];
  if (/^multipart\/form-data/i.test(type)) {
    ({ fields, files } = await parseMultipart(c.req.raw, UPLOAD_LIMITS, tmpDir));
  } else if (/^application\/x-www-form-urlencoded/i.test(type)) {
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > MAX_FORM_BYTES) throw validationFailed({ _: 'The form is larger than 256 KB' });
    const text = await c.req.text();
    if (text.length > MAX_FORM_BYTES) throw validationFailed({ _: 'The form is larger than 256 KB' });
    for (const [k, v] of new URLSearchParams(text)) {
      const prev = fields[k];
      fields[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
  } else {
    throw validationFailed({ _: 'Send the form as application/x-www-form-urlencoded or multipart/form-data' });
  }
  // api_key and jurisdiction_id may come in the query string too; the body wins.
  for (const [k, v] of Object.entries(c.req.queries())) if (fields[k] === undefined && v.length) fields[k] = v[0]!;
  return { fields, files };
}

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);
const scalars = (fields: Record<string, string | string[]>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, single(v)]));

/** Open311 GeoReport v2 with the mySociety servicerequestupdates extension, under /open311/v2. */
export const open311Routes = (deps: AppDeps) => {
  const reportsDeps: ReportsDeps = {
    db: deps.db, storage: deps.storage, publicBaseUrl: deps.config.publicBaseUrl, email: !!deps.config.smtpUrl,
    antiSpam: { minFillSeconds: 0, duplicateWindowMinutes: deps.config.duplicateWindowMinutes },
  };
  const ctx = (c: Context): Open311Context => ({
    db: deps.db,
    baseUrl: deps.config.publicBaseUrl ?? new URL(c.req.url).origin,
    jurisdictionId: deps.config.open311JurisdictionId,
  });
  const tmpDir = path.join(deps.config.mediaDir, 'tmp');

  return new Hono()
    .onError(open311Error(deps.logger))
    .on('GET', both('/discovery'), validate('query', JurisdictionQuery), (c) => {
      assertJurisdiction(ctx(c), c.req.valid('query').jurisdiction_id);
      return reply(c, formatOf(c.req.path), 'discovery', discovery(ctx(c)));
    })
    .on('GET', both('/services'), validate('query', JurisdictionQuery), async (c) => {
      assertJurisdiction(ctx(c), c.req.valid('query').jurisdiction_id);
      return reply(c, formatOf(c.req.path), 'services', await listOpen311Services(ctx(c)));
    })
    .get('/services/:file{[^/]+\\.(?:json|xml)}', validate('query', JurisdictionQuery), async (c) => {
      const [code, format] = splitFormat(c.req.param('file'));
      assertJurisdiction(ctx(c), c.req.valid('query').jurisdiction_id);
      return reply(c, format, 'service_definition', await serviceDefinition(ctx(c), code));
    })
    .on('GET', both('/requests'), validate('query', RequestsQuery), async (c) => {
      // Up to 1,000 reports a page, for anyone: counted per address before the query runs.
      await enforceRateLimit(c, deps, 'open311_read', { ip: requester(c, deps).ip });
      const q = c.req.valid('query');
      assertJurisdiction(ctx(c), q.jurisdiction_id);
      const { requests, next } = await listOpen311RequestsFor(ctx(c), q);
      if (next) {
        // The spec's reply is a bare list, so the next page is named in a Link header (RFC 8288) and X-Next-Page.
        const url = new URL(c.req.path, ctx(c).baseUrl);
        for (const [k, v] of new URL(c.req.url).searchParams) if (k !== 'page') url.searchParams.append(k, v);
        url.searchParams.set('page', next);
        c.header('Link', `<${url}>; rel="next"`);
        c.header('X-Next-Page', next);
      }
      return reply(c, formatOf(c.req.path), 'service_requests', requests);
    })
    .on('POST', both('/requests'), rateLimit(deps, 'open311'), async (c) => {
      const { fields, files } = await readForm(c, tmpDir);
      try {
        const client = await authenticateApiKey(deps.db, single(fields.api_key)?.trim() || undefined);
        // The key is known only once the form is read; the address was counted before that.
        await enforceRateLimit(c, deps, 'open311', { client: `api_key:${client.id}` });
        const parsed = PostRequestForm.safeParse(scalars(fields));
        if (!parsed.success) throw validationFailed(zodFieldErrors(parsed.error));
        assertJurisdiction(ctx(c), parsed.data.jurisdiction_id);
        const result = await createOpen311Request(
          reportsDeps, client, parsed.data, collectAttributes(fields), files, c.req.header('Idempotency-Key') || undefined,
        );
        c.header('Cache-Control', 'no-store');
        return reply(c, formatOf(c.req.path), 'service_requests', result.body, result.status === 201 ? 201 : 200);
      } finally {
        await removeTemporaryFiles(files);
      }
    })
    .get('/requests/:file{[^/]+\\.(?:json|xml)}', validate('query', JurisdictionQuery), async (c) => {
      const [id, format] = splitFormat(c.req.param('file'));
      assertJurisdiction(ctx(c), c.req.valid('query').jurisdiction_id);
      return reply(c, format, 'service_requests', await getOpen311Request(ctx(c), id));
    })
    .get('/tokens/:file{[^/]+\\.(?:json|xml)}', validate('query', JurisdictionQuery), async (c) => {
      const [token, format] = splitFormat(c.req.param('file'));
      assertJurisdiction(ctx(c), c.req.valid('query').jurisdiction_id);
      return reply(c, format, 'service_requests', await requestIdFromToken(ctx(c), token));
    })
    .on('GET', both('/servicerequestupdates'), validate('query', UpdatesQuery), async (c) => {
      const q = c.req.valid('query');
      assertJurisdiction(ctx(c), q.jurisdiction_id);
      return reply(c, formatOf(c.req.path), 'service_request_updates', await listOpen311Updates(ctx(c), q));
    })
    .on('POST', both('/servicerequestupdates'), rateLimit(deps, 'open311'), async (c) => {
      const { fields, files } = await readForm(c, tmpDir);
      // Updates carry no file of ours; a sent one is not kept.
      await removeTemporaryFiles(files);
      const client = await authenticateApiKey(deps.db, single(fields.api_key)?.trim() || undefined);
      await enforceRateLimit(c, deps, 'open311', { client: `api_key:${client.id}` });
      const parsed = PostUpdateForm.safeParse(scalars(fields));
      if (!parsed.success) throw validationFailed(zodFieldErrors(parsed.error));
      assertJurisdiction(ctx(c), parsed.data.jurisdiction_id);
      const body = await postOpen311Update({ db: deps.db, now: deps.now, email: reportsDeps.email }, client, parsed.data, requestAddress(c, deps.config.rateLimits.trustProxy));
      c.header('Cache-Control', 'no-store');
      return reply(c, formatOf(c.req.path), 'service_request_updates', body);
    })
    .all('*', (c) => {
      throw new DomainError('not_found', `No Open311 method ${c.req.method} ${c.req.path}; see ${new URL('/open311/v2/discovery.json', ctx(c).baseUrl)}`);
    });
};

export type Open311AppType = ReturnType<typeof open311Routes>;
