import { Hono, type MiddlewareHandler } from 'hono';
import { z, type ZodType } from 'zod';
import type { AppDeps } from '../deps.js';
import { ExportQuery } from './export.schema.js';
import { ContactConsentField, NewReportForm } from './reports.schema.js';
import { validatorSchemas } from './validate.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

/**
 * Parameters are described as sent (io: input); bodies as checked (io:
 * output), since their text fields are trimmed before the length limits apply.
 */
const toSchema = (schema: ZodType, io: 'input' | 'output' = 'input'): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as JsonSchema;
  if (io === 'output' && rest.required) {
    // A field with a default is filled in when absent, so the client need not send it.
    rest.required = rest.required.filter((name) => !('default' in (rest.properties?.[name] ?? {})));
  }
  return rest;
};

/** Bodies read without a validator middleware (multipart uploads), described from their schemas here. */
const EXTRA_BODIES: Record<string, { contentType: string; schema: ZodType; files?: Record<string, string> }> = {
  'POST /api/reports': {
    contentType: 'multipart/form-data',
    // contact_consent is read beside the report (Decree 13/2023): required with name, phone or email.
    schema: NewReportForm.extend({ contact_consent: ContactConsentField }),
    files: { photos: 'Up to 5 photos, 10 MB each', video: 'One video, 50 MB' },
  },
};

const SUMMARIES: Record<string, string> = {
  'GET /api/export.csv': 'Reports matching the filters as CSV (streamed)',
  'GET /api/export.geojson': 'Reports matching the filters as GeoJSON (streamed)',
  'GET /api/export.open311.json': 'Reports matching the filters as an Open311 requests dump (streamed)',
  'GET /api/openapi.json': 'This description',
};

export interface RouteInfo {
  method: string;
  path: string;
  handler: MiddlewareHandler;
}

/**
 * Builds the OpenAPI 3.0 document from the routes an app really has and the
 * zod schemas their validators check, so the description cannot drift from
 * the code: a new route appears, with its parameters, without anyone editing
 * this file.
 */
export function buildOpenApi(routes: readonly RouteInfo[], info: { baseUrl?: string } = {}) {
  const ops = new Map<string, { method: string; path: string; validators: { target: string; schema: ZodType }[] }>();
  for (const r of routes) {
    // .use() middleware is registered for ALL methods on a wildcard path; it is not an operation.
    if (r.method === 'ALL' || r.path.endsWith('*')) continue;
    const key = `${r.method} ${r.path}`;
    const op = ops.get(key) ?? { method: r.method, path: r.path, validators: [] };
    const v = validatorSchemas.get(r.handler);
    if (v) op.validators.push(v);
    ops.set(key, op);
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, op] of [...ops].sort(([a], [b]) => a.localeCompare(b))) {
    const openPath = op.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
    const parameters: unknown[] = [];
    let requestBody: unknown;
    for (const v of op.validators) {
      const schema = toSchema(v.schema, v.target === 'json' || v.target === 'form' ? 'output' : 'input');
      if (v.target === 'query' || v.target === 'param' || v.target === 'header') {
        const where = v.target === 'param' ? 'path' : v.target;
        for (const [name, prop] of Object.entries(schema.properties ?? {})) {
          parameters.push({
            name, in: where,
            required: where === 'path' || ((schema.required ?? []).includes(name) && !('default' in prop)),
            schema: prop,
            ...(prop.type === 'array' ? { style: 'form', explode: false } : {}),
          });
        }
      } else {
        const type = v.target === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
        requestBody = { required: true, content: { [type]: { schema } } };
      }
    }
    for (const name of [...openPath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)) {
      if (!parameters.some((p) => (p as { name: string; in: string }).name === name)) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
    const extra = EXTRA_BODIES[key];
    if (extra) {
      const schema = toSchema(extra.schema, 'output');
      for (const [name, description] of Object.entries(extra.files ?? {})) {
        schema.properties = { ...schema.properties, [name]: { type: 'array', items: { type: 'string', format: 'binary' }, description } };
      }
      requestBody = { required: true, content: { [extra.contentType]: { schema } } };
    }
    const method = op.method.toLowerCase();
    (paths[openPath] ??= {})[method] = {
      operationId: `${method}${openPath.replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
      summary: SUMMARIES[key] ?? `${op.method} ${openPath}`,
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: {
        '200': { description: 'Success' },
        '400': { description: 'Invalid input', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'civic-ops API',
      version: '1',
      description: 'The REST API of the Đắk Lắk citizen feedback platform. Open311 GeoReport v2 is served separately under /open311/v2.',
    },
    ...(info.baseUrl ? { servers: [{ url: info.baseUrl }] } : {}),
    paths,
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
          },
        },
        ExportQuery: toSchema(ExportQuery),
      },
    },
  };
}

/**
 * GET /api/openapi.json. The API's routes are asked for on the first request,
 * not when the route is built, because this route is part of that API; the
 * document is made once per process.
 */
export const openapiRoutes = (deps: AppDeps, apiRoutes: () => RouteInfo[]) => {
  let doc: ReturnType<typeof buildOpenApi> | undefined;
  return new Hono().get('/', async (c) => {
    doc ??= buildOpenApi(apiRoutes(), { baseUrl: deps.config.publicBaseUrl });
    return c.json(doc);
  });
};
