import fs from 'node:fs';
import zlib from 'node:zlib';
import fc from 'fast-check';

/**
 * Inputs chosen because they have broken parsers, databases and renderers
 * elsewhere: injection strings, Unicode that changes meaning or length under
 * normalisation, numbers that JSON and Number() read differently, and dates
 * that exist in JavaScript but not in PostgreSQL.
 */
export const NASTY_STRINGS: readonly string[] = [
  '', ' ', '\t', '\r\n', '   \n  ', '\u0000', 'a\u0000b', '%00', '\u0000'.repeat(8), '\u0007\u001b[31m', '\u007f', '\u0085',
  // SQL injection, including tricks aimed at LIKE, arrays, casts and dollar quoting.
  "' OR '1'='1", "'; DROP TABLE reports; --", '1 OR 1=1', "1'); DELETE FROM audit_log; --", '" OR ""="', "\\'; SELECT pg_sleep(5); --",
  '%', '%%', '_', '%_%', '\\', "''", '$1', '$$; select 1; $$', '::int', "E'\\x00'", '{}', '{1,2}', '{"a":1}', 'ARRAY[1]', '1::text',
  // HTML, XML and template injection; the XML Open311 output must escape them.
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert('x')", ']]>', '<![CDATA[x]]>', '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', '&amp;&lt;&#0;&#xD800;', '{{7*7}}', '${7*7}', '`rm -rf /`',
  // Unicode: right-to-left, combining marks, zero widths, lone surrogates, BOM, emoji sequences, confusables.
  '\u202Eevil\u202C', 'مرحبا بالعالم', 'שלום', '\u200F\u200E', 'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301', 'Z̴̡̛͖͈̩̪̱̬̮̜̙̝̹̾̓̆̈́̔̃̽͊̕a̸̧̘̼͚̩̰̓l̶̟̂g̷̜̈o̵̰̔',
  '\u200B\u200C\u200D\u2060', '\uFEFF', '\uD800', '\uDFFF', 'a\uD83Db', '👩‍👩‍👧‍👦', '🏳️‍🌈', 'ﷺ', 'ﬀ', 'İ', 'ß', 'Ǆ', '１２３', '٣', '໓',
  'Đắk Lắk', 'Đă\u0301k La\u0306\u0301k', 'Ổ gà lớn', '\u00A0\u2028\u2029', '\u3000',
  // Paths, URLs and encodings.
  '../../etc/passwd', '..\\..\\windows', '/', '//', '.', '..', '%2e%2e%2f', '%ZZ', '%', '%c0%af', '%E0%A4%A', '?a=1&b=2', '#frag', 'a/b',
  'http://127.0.0.1:5432/', 'file:///etc/passwd', 'data:text/html,<b>x</b>', '\\\\server\\share',
  // Words and numbers that coerce: Number(), JSON, JavaScript keys.
  'null', 'undefined', 'true', 'false', 'NaN', '-NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '1e-400', '-0', '0x10', '0b11', '0o7',
  '1_000', '1,5', '12abc', ' 12 ', '+1', '--1', '9007199254740993', '2147483648', '-2147483649', '99999999999999999999999', '1e21', '.5', '5.',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  // Dates PostgreSQL refuses or JavaScript rolls over.
  '0000-01-01', '0001-01-01', '9999-12-31', '10000-01-01', '+275760-09-13', '-000001-01-01', '2025-02-29', '2025-02-30', '2024-02-29',
  '2025-13-01', '2025-00-10', '2025-07-01T24:00:00Z', '2025-07-01T08:00:00+25:00', '2025-07-01T08:00:00+07:00', '1970-01-01T00:00:00Z',
  '294277-01-01', '4714-11-24 BC', 'epoch', 'infinity', '-infinity', 'now', 'today', 'allballs',
  // Valid ISO-8601 whose instant leaves the years 0001–9999 once the offset is applied.
  '9999-12-31T23:59:59-23:59', '9999-12-31T23:59:59.999-2359', '0001-01-01T00:00:00+23:59', '0000-12-31T23:00:00-01:00',
];

/** Number-like text for coordinates and ids: the finite, the infinite, the out-of-range and the almost-numbers. */
export const NASTY_NUMBERS: readonly string[] = [
  'NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '1e-400', '-0', '0', '90', '-90', '90.0000001', '-90.0000001', '180', '-180',
  '180.0000001', '-180.0000001', '91', '181', '360', '1000', '-1000', '1e6', '2147483647', '2147483648', '-2147483648', '4294967296',
  '9007199254740991', '9007199254740993', '1e21', '1.7976931348623157e308', '5e-324', '0x1A', '1_0', '12,5', '١٢', ' 12.6 ', '12.6.7',
  '', ' ', '+', '-', '.', 'e5', '1e', '12.666666666666666666666666', '108.0383', '12.6667',
];

/** Cut points that make a Unicode string invalid, huge, or both. */
export const hugeString = fc.oneof(
  fc.constantFrom('x'.repeat(10_000), 'ế'.repeat(5_000), '\u0301'.repeat(20_000), '🏳️‍🌈'.repeat(3_000), 'a'.repeat(100_001), ' '.repeat(70_000)),
  fc.string({ unit: 'binary', minLength: 1_000, maxLength: 20_000 }),
);

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: hugeString },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...NASTY_STRINGS), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom(...NASTY_STRINGS))
      .map(([a, b, c]) => a + b + c),
  },
);

/** A JSON number token JavaScript cannot write: 1e999 parses as Infinity, -0 keeps its sign, 1e-999 underflows. */
export class RawJson {
  constructor(readonly text: string) {}
}

export const nastyJsonScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null), fc.boolean(), fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, 5e-324),
  fc.constantFrom(new RawJson('1e999'), new RawJson('-1e999'), new RawJson('-0'), new RawJson('1e-999'), new RawJson('123456789012345678901234567890')),
  nastyString, fc.integer(), fc.double(),
);

export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyJsonScalar },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) },
  { weight: 1, arbitrary: fc.array(nastyJsonScalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'a'), nastyString), nastyJsonScalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constant(Array.from({ length: 5000 }, (_, i) => i)) },
  { weight: 1, arbitrary: fc.constant(JSON.parse('['.repeat(2000) + ']'.repeat(2000))) },
);

/** JSON text that may contain RawJson tokens and, by design, keys named __proto__. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJsonText(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Text for a query string or form field from any generated value: arrays become comma lists, as the API reads them. */
export function toFieldText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return value.map(toFieldText).join(',');
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// ---------------------------------------------------------------- JSON Schema → arbitrary

export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
}

/** Real values by parameter name, so generated requests reach the code behind the validators. */
export type DomainPool = Record<string, fc.Arbitrary<unknown>>;

const isoDate = fc.date({ min: new Date('1990-01-01'), max: new Date('2040-12-31'), noInvalidDate: true });
const anyYear = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });

/** An ISO date-time written with an offset, as a client far east or west of UTC would write it; near 0000 or 9999 the offset changes the year. */
const isoWithOffset = fc.tuple(anyYear, fc.integer({ min: -1439, max: 1439 })).map(([d, offset]) => {
  const local = new Date(d.getTime() + offset * 60_000).toISOString();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local.slice(0, 19)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}).filter((s) => /^\d{4}-/.test(s));

/** Values the schema accepts (mostly), or real ones from the pool when the name is known. */
export function conforming(schema: JsonSchema, name: string, pool: DomainPool, depth = 0): fc.Arbitrary<unknown> {
  const real = pool[name];
  const own = conformingOwn(schema, name, pool, depth);
  return real ? fc.oneof({ weight: 3, arbitrary: real }, { weight: 2, arbitrary: own }) : own;
}

function conformingOwn(schema: JsonSchema, name: string, pool: DomainPool, depth: number): fc.Arbitrary<unknown> {
  if (depth > 4) return nastyJsonScalar;
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches?.length) return fc.oneof(...branches.map((b) => conforming(b, name, pool, depth + 1)));
  if (schema.allOf?.length) return conforming(schema.allOf[0]!, name, pool, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return objectOf(schema, pool, depth + 1);
    case 'array': {
      if (schema.prefixItems) return fc.tuple(...schema.prefixItems.map((s) => conforming(s, name, pool, depth + 1)));
      const item = schema.items ? conforming(schema.items, name, pool, depth + 1) : nastyJsonScalar;
      return fc.array(item, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 6, 6) });
    }
    case 'string':
      return stringFor(schema);
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000);
      const max = Math.min(schema.maximum ?? 100_000, schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : Infinity);
      return fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, Math.max(min, -(2 ** 31)) + 1_000) }) },
        { weight: 1, arbitrary: fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) }) },
      );
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
      const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e6;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      // A transform's output has no type in JSON Schema; its default is a value it accepts.
      return 'default' in schema ? fc.oneof(fc.constant(schema.default), nastyJson) : nastyJson;
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const maxLength = Math.min(schema.maxLength ?? 200, 4_500);
  if (schema.format === 'date-time') return fc.oneof({ weight: 4, arbitrary: isoDate.map((d) => d.toISOString().replace('Z', '+07:00')) }, { weight: 1, arbitrary: isoWithOffset });
  if (schema.format === 'date') return fc.oneof({ weight: 4, arbitrary: isoDate }, { weight: 1, arbitrary: anyYear }).map((d) => d.toISOString().slice(0, 10)).filter((s) => /^\d{4}-/.test(s));
  if (schema.format === 'uri') return fc.webUrl();
  // The validator's own pattern before the format: zod's e-mail pattern is stricter than RFC 5322.
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern), { maxLength });
    } catch {
      // A pattern JavaScript cannot compile as written; plain text will do.
    }
  }
  if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= maxLength);
  return fc.string({ unit: 'grapheme', minLength: schema.minLength ?? 0, maxLength: Math.min(maxLength, 300) });
}

/**
 * An object of the schema's properties. Mixed: each kept valid, made hostile,
 * or left out, plus the odd unknown key. Valid: what the schema accepts, so a
 * good share of requests gets past the validator to the service behind it.
 */
export function objectOf(schema: JsonSchema, pool: DomainPool, depth = 0, mode: 'mixed' | 'valid' = 'mixed'): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const entries = props.map(([key, prop]) => {
    const valid = conforming(prop, key, pool, depth);
    const value = mode === 'valid'
      ? (required.has(key) ? valid : fc.option(valid, { nil: undefined, freq: 3 }))
      : fc.oneof(
        { weight: 12, arbitrary: valid },
        { weight: 2, arbitrary: nastyJsonScalar },
        { weight: required.has(key) ? 1 : 4, arbitrary: fc.constant(undefined) },
      );
    return fc.tuple(fc.constant(key), value);
  });
  const extra = mode === 'valid'
    ? fc.constant(null)
    : fc.option(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'extra', 'id', 'status', 'version'), nastyString), nastyJson), { freq: 8 });
  return fc.tuple(fc.tuple(...entries), extra).map(([pairs, more]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of pairs) if (v !== undefined) out[k] = v;
    if (more) Object.defineProperty(out, more[0], { value: more[1], enumerable: true, writable: true, configurable: true });
    return out;
  });
}

/** Either kind of object, the valid kind a third of the time. */
export const someObjectOf = (schema: JsonSchema, pool: DomainPool) =>
  fc.oneof({ weight: 2, arbitrary: objectOf(schema, pool) }, { weight: 1, arbitrary: objectOf(schema, pool, 0, 'valid') });

// ---------------------------------------------------------------- files

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A greyscale PNG claiming width × height, whose pixel data is `rows` zero rows compressed. */
function png(width: number, height: number, rows: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const raw = Buffer.alloc(Math.min(rows, height) * (width + 1));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
/** A baseline JPEG header claiming 65,500 × 65,500 pixels with no data behind it. */
function jpegPixelBomb(): Buffer {
  const real = fs.readFileSync(new URL('../../fixtures/media/gps-tagged.jpg', import.meta.url));
  const out = Buffer.from(real);
  for (let i = 2; i < out.length - 9; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(65_500, i + 5);
      out.writeUInt16BE(65_500, i + 7);
      break;
    }
  }
  return out;
}
/** A zip whose one entry inflates 1000×: the server must never unpack what it is sent. */
function zipBomb(): Buffer {
  const data = zlib.deflateRawSync(Buffer.alloc(2_000_000));
  const name = Buffer.from('bomb.txt');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(8, 8);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(2_000_000, 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name, data]);
}

const fixture = (name: string) => fs.readFileSync(new URL(`../../fixtures/media/${name}`, import.meta.url));

/** Files, named for what they test. Built once: the bombs cost a few ms to make. */
export const FILES: Record<string, Buffer> = (() => {
  const jpg = fixture('gps-tagged.jpg');
  const pngFile = fixture('pothole.png');
  const mp4 = fixture('gps-tagged.mp4');
  return {
    jpeg: jpg,
    png: pngFile,
    mp4,
    empty: Buffer.alloc(0),
    one_byte: Buffer.from([0xff]),
    jpeg_truncated_header: jpg.subarray(0, 20),
    jpeg_truncated_half: jpg.subarray(0, Math.floor(jpg.length / 2)),
    png_truncated: pngFile.subarray(0, Math.floor(pngFile.length * 0.7)),
    mp4_truncated: mp4.subarray(0, Math.floor(mp4.length / 3)),
    png_pixel_bomb: png(100_000, 100_000, 2),
    png_width_zero: png(0, 10, 10),
    // Within the pixel cap but 36 MP of zeros behind a 40 KB file: a decompression bomb sharp must still handle.
    png_decompression_bomb: png(6_000, 6_000, 6_000),
    jpeg_pixel_bomb: jpegPixelBomb(),
    zip_bomb: zipBomb(),
    gzip_bomb: zlib.gzipSync(Buffer.alloc(5_000_000)),
    html_as_jpeg: Buffer.from('<html><script>alert(1)</script></html>'),
    svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'),
    gif: Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'),
    heic_garbage: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(64, 7)]),
    webm_garbage: Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(100, 0x42)]),
    random_4k: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) & 0xff)),
  };
})();

const fileNames = fc.constantFrom('photo.jpg', 'video.mp4', '../../../etc/passwd', 'a\u0000b.jpg', '\u202Egpj.exe', 'ảnh chụp.png', '', 'x'.repeat(300), '"quoted".jpg', 'semi;colon.jpg');
const fileTypes = fc.constantFrom('image/jpeg', 'image/png', 'video/mp4', 'application/octet-stream', 'text/html', '', 'image/jpeg; charset=utf-8', 'multipart/mixed; boundary=x');

export interface FilePart {
  field: string;
  filename: string;
  type: string;
  data: Buffer;
}

/** File parts for the named file fields, mostly the fields the route takes, sometimes others. */
export function fileParts(fileFields: string[]): fc.Arbitrary<FilePart[]> {
  const kinds = Object.keys(FILES);
  const common = kinds.filter((k) => k !== 'png_decompression_bomb');
  const part = fc.record({
    field: fileFields.length ? fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...fileFields) }, { weight: 1, arbitrary: fc.constantFrom('photo', 'file', 'photos[]', '') }) : fc.constantFrom('file', 'photos'),
    filename: fileNames,
    type: fileTypes,
    // The decompression bomb is slow by design (a second of sharp work), so it comes up rarely.
    data: fc.oneof({ weight: 60, arbitrary: fc.constantFrom(...common) }, { weight: 1, arbitrary: fc.constant('png_decompression_bomb') }).map((k) => FILES[k]!),
  });
  const valid = fc.record({
    field: fc.constantFrom(...(fileFields.length ? fileFields : ['photos'])),
    filename: fc.constant('photo.jpg'),
    type: fc.constant('image/jpeg'),
    data: fc.constantFrom(FILES.jpeg!, FILES.png!),
  });
  return fc.oneof(
    { weight: 3, arbitrary: fc.array(part, { maxLength: 7 }) },
    { weight: 2, arbitrary: fc.constant<FilePart[]>([]) },
    { weight: 1, arbitrary: fc.array(valid, { maxLength: 2 }) },
  );
}

// ---------------------------------------------------------------- multipart

export interface MultipartShape {
  fields: [string, string][];
  files: FilePart[];
  /** What to do to the well-formed body. */
  damage: 'none' | 'truncate' | 'no_final_boundary' | 'wrong_boundary' | 'lf_only' | 'no_disposition' | 'header_garbage' | 'bad_boundary_param' | 'no_boundary_param' | 'preamble_only' | 'huge_field' | 'many_fields';
  cut: number;
}

export const multipartDamage = fc.oneof(
  { weight: 10, arbitrary: fc.constant('none' as const) },
  { weight: 4, arbitrary: fc.constantFrom(
    'truncate', 'no_final_boundary', 'wrong_boundary', 'lf_only', 'no_disposition', 'header_garbage', 'bad_boundary_param', 'no_boundary_param',
    'preamble_only', 'huge_field', 'many_fields',
  ) as fc.Arbitrary<MultipartShape['damage']> },
);

/** A raw multipart body and its content type, well-formed or deliberately not. */
export function encodeMultipart(shape: MultipartShape): { body: Buffer; contentType: string } {
  const boundary = 'fuzzBoundary7MA4YWxkTrZu0gW';
  const eol = shape.damage === 'lf_only' ? '\n' : '\r\n';
  const chunks: Buffer[] = [];
  let fields = shape.fields;
  if (shape.damage === 'huge_field') fields = [...fields, ['description', 'x'.repeat(40_000)]];
  if (shape.damage === 'many_fields') fields = [...fields, ...Array.from({ length: 120 }, (_, i) => [`f${i}`, 'v'] as [string, string])];
  const disposition = (name: string, filename?: string) =>
    shape.damage === 'no_disposition' ? 'Content-Type: text/plain' : `Content-Disposition: form-data; name="${name.replace(/"/g, '%22')}"${filename !== undefined ? `; filename="${filename.replace(/"/g, '%22')}"` : ''}`;
  for (const [name, value] of fields) {
    chunks.push(Buffer.from(`--${boundary}${eol}${disposition(name)}${eol}${eol}`), Buffer.from(value, 'utf8'), Buffer.from(eol));
  }
  for (const f of shape.files) {
    const head = `--${boundary}${eol}${disposition(f.field, f.filename)}${eol}${f.type ? `Content-Type: ${f.type}${eol}` : ''}${shape.damage === 'header_garbage' ? `\u0000garbage without colon${eol}` : ''}${eol}`;
    chunks.push(Buffer.from(head, 'utf8'), f.data, Buffer.from(eol));
  }
  if (shape.damage !== 'no_final_boundary') chunks.push(Buffer.from(`--${boundary}--${eol}`));
  let body = Buffer.concat(chunks);
  if (shape.damage === 'truncate') body = body.subarray(0, Math.floor(body.length * shape.cut));
  if (shape.damage === 'preamble_only') body = Buffer.from('this is not multipart at all');
  const contentType =
    shape.damage === 'wrong_boundary' ? 'multipart/form-data; boundary=somethingElse'
      : shape.damage === 'bad_boundary_param' ? `multipart/form-data; boundary="${'b'.repeat(200)}`
        : shape.damage === 'no_boundary_param' ? 'multipart/form-data'
          : `multipart/form-data; boundary=${boundary}`;
  return { body, contentType };
}

/** A body that ends in a network error half way, like a client that lost its signal. */
export function failingStream(prefix: Buffer): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new Uint8Array(prefix));
      } else {
        controller.error(new Error('connection reset by fuzzer'));
      }
    },
  });
}
