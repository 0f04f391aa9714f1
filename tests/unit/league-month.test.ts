import { describe, expect, it } from 'vitest';
import { isMonth, lastDay, shiftMonth, vnMonth } from '../../dashboard/src/lib/league/month.js';

describe('league months', () => {
  it('steps across year ends both ways', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-03', -15)).toBe('2024-12');
    expect(shiftMonth('2026-10', 0)).toBe('2026-10');
  });

  it('knows the last day of a month, leap Februaries included', () => {
    expect(lastDay('2026-11')).toBe('2026-11-30');
    expect(lastDay('2026-12')).toBe('2026-12-31');
    expect(lastDay('2028-02')).toBe('2028-02-29');
    expect(lastDay('2026-02')).toBe('2026-02-28');
  });

  it('takes the month in Vietnam, not UTC', () => {
    // 31 Oct 18:00 UTC is already 1 Nov 01:00 in Vietnam.
    expect(vnMonth(Date.parse('2026-10-31T18:00:00Z'))).toBe('2026-11');
    expect(vnMonth(Date.parse('2026-10-31T16:59:59Z'))).toBe('2026-10');
  });

  it('accepts only YYYY-MM, as the API does', () => {
    expect(isMonth('2026-10')).toBe(true);
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-10', '2026-10-01', '', null, undefined]) expect(isMonth(bad)).toBe(false);
  });
});
