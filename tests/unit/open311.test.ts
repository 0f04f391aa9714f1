import { describe, expect, it } from 'vitest';
import type { FieldAttributeRow } from '../../server/db/database.js';
import { parseOpen311DateTime } from '../../server/services/datetime.js';
import { csvCell } from '../../server/routes/export-format.js';
import { renderOpen311, toOpen311Errors } from '../../server/routes/open311-format.js';
import {
  collectAttributes, targetStatusOf, titleFrom, toOpen311DateTime, toOpen311Status, validateAttributes,
} from '../../server/services/open311.js';

describe('Open311 datetimes', () => {
  it('writes Đắk Lắk time with an explicit offset', () => {
    expect(toOpen311DateTime(new Date('2025-06-30T20:04:05.678Z'))).toBe('2025-07-01T03:04:05+07:00');
  });
  it('reads ISO-8601 with or without an offset, and dates alone, as +07:00 when none is given', () => {
    expect(parseOpen311DateTime('2017-03-28T16:42:27-04:00')?.toISOString()).toBe('2017-03-28T20:42:27.000Z');
    expect(parseOpen311DateTime('2025-07-01T08:00:00Z')?.toISOString()).toBe('2025-07-01T08:00:00.000Z');
    expect(parseOpen311DateTime('2025-07-01')?.toISOString()).toBe('2025-06-30T17:00:00.000Z');
    expect(parseOpen311DateTime('2025-07-01T08:00')?.toISOString()).toBe('2025-07-01T01:00:00.000Z');
    for (const bad of ['yesterday', '2019-13-45 25:00', '2025-02-30T00:00:00Z', '']) expect(parseOpen311DateTime(bad), bad).toBeUndefined();
  });
  it('round-trips our own output', () => {
    const d = new Date('2024-02-29T23:59:59.000Z');
    expect(parseOpen311DateTime(toOpen311DateTime(d))?.getTime()).toBe(d.getTime());
  });
});

describe('Open311 statuses', () => {
  it('maps ours to open/closed', () => {
    expect(toOpen311Status('in_progress')).toBe('open');
    expect(toOpen311Status('reopened')).toBe('open');
    expect(toOpen311Status('resolved')).toBe('closed');
    expect(toOpen311Status('merged')).toBe('closed');
  });
  it('turns an extended status into a transition, or a note', () => {
    expect(targetStatusOf('FIXED', 'in_progress')).toBe('resolved');
    expect(targetStatusOf('CLOSED', 'resolved')).toBe('closed');
    expect(targetStatusOf('OPEN', 'resolved')).toBe('reopened');
    expect(targetStatusOf('OPEN', 'assigned')).toBeNull();
    expect(targetStatusOf('DUPLICATE', 'assigned')).toBeNull();
  });
});

describe('Open311 rendering', () => {
  it('renders lists as the root element with one element per item, nulls as empty elements, text escaped', () => {
    const xml = renderOpen311('xml', 'service_requests', [{ service_request_id: 'ABC', status_notes: null, description: 'a < b & "c"\u0001' }]);
    expect(xml).toBe([
      '<?xml version="1.0" encoding="utf-8"?>',
      '<service_requests>',
      '  <request>',
      '    <service_request_id>ABC</service_request_id>',
      '    <status_notes></status_notes>',
      '    <description>a &lt; b &amp; &quot;c&quot;</description>',
      '  </request>',
      '</service_requests>',
      '',
    ].join('\n'));
    expect(renderOpen311('json', 'service_requests', [{ a: null }])).toBe('[{"a":null}]');
  });
  it('renders nested lists with the spec element names', () => {
    const xml = renderOpen311('xml', 'service_definition', { service_code: 'x', attributes: [{ code: 'A', values: [{ key: 'k', name: 'n' }] }] });
    expect(xml).toContain('<attributes>\n    <attribute>');
    expect(xml).toContain('<values>\n        <value>\n          <key>k</key>');
  });
  it('answers 403/404 as such, other client errors as 400 with one entry per field', () => {
    expect(toOpen311Errors(422, 'Some fields are invalid', { lat: 'lat must be a number', _: 'Too many files' }, 'validation_failed')).toEqual({
      status: 400, errors: [{ code: 400, description: 'lat: lat must be a number' }, { code: 400, description: 'Too many files' }],
    });
    expect(toOpen311Errors(409, 'A report that is resolved cannot become in_progress.', { status: 'x' }, 'invalid_transition').errors)
      .toEqual([{ code: 400, description: 'A report that is resolved cannot become in_progress.' }]);
    expect(toOpen311Errors(403, 'no key').status).toBe(403);
    expect(toOpen311Errors(500, 'boom').status).toBe(500);
  });
});

describe('Open311 attributes', () => {
  const def = (over: Partial<FieldAttributeRow>): FieldAttributeRow => ({
    field_code: 'road', code: 'A', datatype: 'string', required: false, variable: true, description: 'Q', datatype_description: null,
    sort_order: 0, value_options: null, ...over,
  });
  it('collects attribute[CODE] and attribute[CODE][] keys', () => {
    expect(collectAttributes({ 'attribute[A]': 'x', 'attribute[B][]': ['1', '2'], other: 'y', 'attribute[C]': '  ' })).toEqual({ A: ['x'], B: ['1', '2'] });
  });
  it('checks datatypes and lists, and joins multivalue keys', () => {
    const defs = [
      def({ code: 'N', datatype: 'number' }),
      def({ code: 'M', datatype: 'multivaluelist', value_options: [{ key: 'a', name: 'A' }, { key: 'b', name: 'B' }] }),
      def({ code: 'R', required: true }),
    ];
    expect(validateAttributes(defs, { N: ['3.5'], M: ['a', 'b,a'], R: ['ok'] })).toEqual([
      { code: 'N', value: '3.5' }, { code: 'M', value: 'a,b' }, { code: 'R', value: 'ok' },
    ]);
    expect(() => validateAttributes(defs, { N: ['x'] })).toThrow(/invalid/);
  });
});

describe('titles and CSV cells', () => {
  it('takes the first sentence as the title, or the fallback when it is too short', () => {
    expect(titleFrom('Ổ gà lớn. Rất nguy hiểm', 'Giao thông')).toBe('Ổ gà lớn.');
    expect(titleFrom('Hư', 'Giao thông')).toBe('Giao thông');
    expect(titleFrom('x'.repeat(300), 'f')).toHaveLength(100);
  });
  it('quotes what must be quoted and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });
});
