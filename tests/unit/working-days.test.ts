import { describe, expect, it } from 'vitest';
import { addWorkingDays, VN_MAKEUP_WORKDAYS, VN_PUBLIC_HOLIDAYS, vnDate } from '../../server/services/working-days.js';

const none = new Set<string>();

describe('addWorkingDays', () => {
  it('skips a weekend: Friday 10:00 + 1 working day is Monday 10:00 (Asia/Ho_Chi_Minh)', () => {
    // 2025-06-06 is a Friday; 03:00Z is 10:00 in Vietnam.
    expect(addWorkingDays(new Date('2025-06-06T03:00:00Z'), 1, none).toISOString()).toBe('2025-06-09T03:00:00.000Z');
  });

  it('counts days in Vietnamese local time, not UTC', () => {
    // Friday 20:00 UTC is already Saturday 03:00 in Vietnam: the next working day is Monday.
    expect(addWorkingDays(new Date('2025-06-06T20:00:00Z'), 1, none).toISOString()).toBe('2025-06-08T20:00:00.000Z'); // Monday 03:00 local
    expect(vnDate(new Date('2025-06-06T20:00:00Z'))).toBe('2025-06-07');
  });

  it('crosses the 30/4–1/5 holidays, the swapped Friday and a weekend', () => {
    // Tuesday 29/4/2025 10:00; 30/4, 1/5, 2/5 are off, 3–4/5 a weekend: 3 working days → Wed 7/5.
    const due = addWorkingDays(new Date('2025-04-29T03:00:00Z'), 3, VN_PUBLIC_HOLIDAYS, VN_MAKEUP_WORKDAYS);
    expect(due.toISOString()).toBe('2025-05-07T03:00:00.000Z');
  });

  it('crosses Tết 2026 (Mon 16/2 – Fri 20/2) between two weekends', () => {
    // Friday 13/2/2026 09:00 + 2 working days: 14–22/2 is all off → Tue 24/2.
    const due = addWorkingDays(new Date('2026-02-13T02:00:00Z'), 2, VN_PUBLIC_HOLIDAYS);
    expect(due.toISOString()).toBe('2026-02-24T02:00:00.000Z');
  });

  it('counts a make-up Saturday as a working day', () => {
    // Friday 25/4/2025 + 1: Saturday 26/4 was worked to pay for Friday 2/5.
    expect(vnDate(addWorkingDays(new Date('2025-04-25T03:00:00Z'), 1, VN_PUBLIC_HOLIDAYS, VN_MAKEUP_WORKDAYS))).toBe('2025-04-26');
    expect(vnDate(addWorkingDays(new Date('2025-04-25T03:00:00Z'), 1, VN_PUBLIC_HOLIDAYS))).toBe('2025-04-28');
  });

  it('returns the start for 0 days and rejects bad input', () => {
    const start = new Date('2025-06-07T03:00:00Z');
    expect(addWorkingDays(start, 0, none).getTime()).toBe(start.getTime());
    expect(() => addWorkingDays(start, -1, none)).toThrow();
    expect(() => addWorkingDays(start, 1.5, none)).toThrow();
    expect(() => addWorkingDays(new Date('nope'), 1, none)).toThrow();
  });
});

describe('VN_PUBLIC_HOLIDAYS', () => {
  it('lists only weekdays (weekend days are never working days anyway)', () => {
    for (const d of VN_PUBLIC_HOLIDAYS) {
      const day = new Date(`${d}T00:00:00Z`).getUTCDay();
      expect([0, 6], d).not.toContain(day);
    }
  });

  it('has the fixed-date holidays and the lunar ones of each year', () => {
    for (const d of ['2025-01-01', '2025-04-30', '2025-05-01', '2025-09-02', '2026-01-01', '2026-04-30', '2026-05-01', '2026-09-02', '2027-01-01', '2027-04-30', '2027-09-02']) {
      expect(VN_PUBLIC_HOLIDAYS.has(d), d).toBe(true);
    }
    // Mùng 1 Tết and Hùng Kings (10/3 lunar) on weekdays.
    for (const d of ['2025-01-29', '2026-02-17', '2025-04-07', '2027-04-16']) expect(VN_PUBLIC_HOLIDAYS.has(d), d).toBe(true);
    // Five weekday Tết days a year.
    for (const y of ['2025-01', '2026-02', '2027-02']) {
      const tet = [...VN_PUBLIC_HOLIDAYS].filter((d) => d.startsWith(y) && !d.endsWith('01-01'));
      expect(tet.length, y).toBe(5);
    }
  });
});
