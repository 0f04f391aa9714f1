import { XMLBuilder } from 'fast-xml-parser';
import type { FieldErrors } from '../errors.js';

/**
 * Open311's wire format: JSON or XML bodies and the error list, as the
 * GeoReport v2 spec writes them. The services hand over plain objects; how
 * they look on the wire is decided here, beside the routes.
 */
export type Open311Format = 'json' | 'xml';

export const CONTENT_TYPES: Record<Open311Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** Element names of list items, as in the spec's XML samples. */
const XML_ITEM: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

// XML 1.0 cannot carry most control characters, even escaped; imported text may contain them.
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function toXmlTree(value: unknown, name: string): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    const item = XML_ITEM[name] ?? 'item';
    return { [item]: value.map((v) => toXmlTree(v, item)) };
  }
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toXmlTree(v, k)]));
  }
  return String(value).replace(XML_INVALID, '');
}

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false, processEntities: true });

/**
 * Renders a body in JSON or XML. A list renders as the root element holding
 * one element per item (services → service); an object as the root element.
 */
export function renderOpen311(format: Open311Format, root: string, body: unknown): string {
  if (format === 'json') return JSON.stringify(body);
  const tree = Array.isArray(body) ? toXmlTree(body, root) : toXmlTree(body, root);
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ [root]: tree })}`;
}

export interface Open311Error {
  code: number;
  description: string;
}

/** Open311 answers 403 and 404 as such and every other client error as 400, with one entry per problem. */
export function toOpen311Errors(
  status: number, message: string, fields?: FieldErrors, errorCode?: string,
): { status: 400 | 403 | 404 | 413 | 414 | 500; errors: Open311Error[] } {
  // The spec's codes, plus the HTTP limits a client must see as such (a body or URL to shorten, not to fix).
  const code = status === 403 || status === 404 || status === 413 || status === 414 ? status : status >= 500 ? 500 : 400;
  // Per-field messages say it all for invalid input; for other errors the message leads.
  const entries = fields && errorCode === 'validation_failed' ? Object.entries(fields) : [];
  const errors = entries.length
    ? entries.map(([field, text]) => ({ code, description: field === '_' ? text : `${field}: ${text}` }))
    : [{ code, description: message }];
  return { status: code, errors };
}
