import fs from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The official GeoReport v2 JSON Schemas, loaded under the file names they $ref each other by. */
export function open311Schemas(): Record<'request' | 'requests' | 'service' | 'services' | 'service-definition', ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const names = ['request', 'requests', 'service', 'services', 'service-definition'] as const;
  for (const name of names) {
    ajv.addSchema(JSON.parse(fs.readFileSync(new URL(`../../fixtures/open311/schemas/${name}.json`, import.meta.url), 'utf8')), `${name}.json`);
  }
  return Object.fromEntries(names.map((n) => [n, ajv.getSchema(`${n}.json`)!])) as never;
}

export function sampleXml(name: string): string {
  return fs.readFileSync(new URL(`../../fixtures/open311/xml/${name}`, import.meta.url), 'utf8');
}

const LISTS = new Set(['service', 'request', 'request_update', 'error', 'attribute', 'value', 'endpoint', 'format']);
const parser = new XMLParser({ isArray: (name) => LISTS.has(name), parseTagValue: false, trimValues: true });

/** Parses XML after checking it is well-formed; list elements always come back as arrays. */
export function parseXml(xml: string): any {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`Malformed XML: ${JSON.stringify(valid.err)}`);
  return parser.parse(xml);
}

export function formBody(fields: Record<string, string | number | undefined>): { body: string; headers: Record<string, string> } {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.append(k, String(v));
  return { body: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const XML_TYPE = 'text/xml; charset=utf-8';
export const VN_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/;
