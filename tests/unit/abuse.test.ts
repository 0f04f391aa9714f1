import { describe, expect, it } from 'vitest';
import { addressKey } from '../../server/routes/rate-limit.js';
import { contentHashOf, normalisePhone, normaliseText } from '../../server/services/abuse.js';
import { windowAt } from '../../server/services/rate-limit.js';
import { monthsBefore } from '../../server/services/retention.js';

describe('address keys', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6, and counts IPv6 by its /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey(' ::ffff:203.0.113.9 ')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:aa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::203.0.113.9')).toBe('64:ff9b:0:0::/64');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', 'unknown', '203.0.113.9:443', '999.1.1.1', 'example.org', '1.2.3.4, 5.6.7.8']) expect(addressKey(bad)).toBeUndefined();
  });
});

describe('fixed windows', () => {
  it('aligns windows to the epoch, so every replica agrees where one ends', () => {
    expect(windowAt(new Date('2031-03-04T05:06:07Z'), 600)).toEqual({ start: new Date('2031-03-04T05:00:00Z'), end: new Date('2031-03-04T05:10:00Z') });
    expect(windowAt(new Date('2031-03-04T05:10:00Z'), 600).start).toEqual(new Date('2031-03-04T05:10:00Z'));
    expect(windowAt(new Date('2031-03-04T05:06:07Z'), 86_400).start).toEqual(new Date('2031-03-04T00:00:00Z'));
  });
});

describe('duplicate fingerprints', () => {
  it('ignores case, Vietnamese diacritics, punctuation and spacing', () => {
    expect(normaliseText('  Ổ GÀ, lớn!! ')).toBe('o ga lon');
    expect(normaliseText('Đường  ĐT-701 bị sụt lún…')).toBe('duong dt 701 bi sut lun');
    expect(contentHashOf('road', 'Ổ gà lớn', 'Sâu 20 cm.')).toBe(contentHashOf('road', 'o ga LON', 'sau  20 CM'));
    expect(contentHashOf('road', 'Ổ gà lớn', 'Sâu 20 cm.')).not.toBe(contentHashOf('lighting', 'Ổ gà lớn', 'Sâu 20 cm.'));
    expect(contentHashOf('road', 'Ổ gà lớn', 'Sâu 20 cm.')).not.toBe(contentHashOf('road', 'Ổ gà lớn', 'Sâu 30 cm.'));
  });

  it('spells each Vietnamese number one way', () => {
    for (const p of ['0912345678', '+84912345678', '84912345678', '+84 912.345.678', '0912-345-678']) expect(normalisePhone(p)).toBe('0912345678');
    expect(normalisePhone('+14155550100')).toBe('+14155550100');
  });
});

describe('retention cutoff', () => {
  it('goes back calendar months, clamping to the shorter month', () => {
    expect(monthsBefore(new Date('2020-06-15T03:00:00Z'), 24)).toEqual(new Date('2018-06-15T03:00:00Z'));
    expect(monthsBefore(new Date('2021-03-31T12:00:00Z'), 1)).toEqual(new Date('2021-02-28T12:00:00Z'));
    expect(monthsBefore(new Date('2020-01-31T00:00:00Z'), 11)).toEqual(new Date('2019-02-28T00:00:00Z'));
    expect(monthsBefore(new Date('2024-05-31T00:00:00Z'), 3)).toEqual(new Date('2024-02-29T00:00:00Z'));
  });
});
