import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../server/services/seed/prng.js';
import { medianOf, wilson } from '../../server/services/stats-math.js';

/** percentile_cont(0.5) the slow, obvious way. */
const sortedMedian = (values: number[]) => {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return (s[Math.floor(m)] + s[Math.ceil(m)]) / 2;
};

describe('exact median', () => {
  it('is null for nothing and the value itself for one', () => {
    expect(medianOf(new Float64Array([]))).toBeNull();
    expect(medianOf(new Float64Array([7.5]))).toBe(7.5);
  });

  it('equals the sorted median on random data, odd and even counts, with ties', () => {
    const rnd = mulberry32(4242);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rnd() * 200);
      // Rounded values force many ties, which is where a selection goes wrong.
      const values = Array.from({ length: n }, () => (rnd() < 0.5 ? Math.round(rnd() * 10) : rnd() * 1000));
      expect(medianOf(Float64Array.from(values)), `trial ${trial}`).toBe(sortedMedian(values));
    }
  });

  it('works on a sub-range without looking outside it', () => {
    const values = Float64Array.from([100, 3, 1, 2, -100]);
    expect(medianOf(values, 1, 4)).toBe(2);
  });
});

describe('Wilson interval', () => {
  it('matches the published values', () => {
    // Newcombe (1998), table I: 81/263 gives 0.2553–0.3662.
    const a = wilson(81, 263)!;
    expect(a.low).toBeCloseTo(0.2553, 4);
    expect(a.high).toBeCloseTo(0.3662, 4);
    // 15/148: 0.0624–0.1605.
    const b = wilson(15, 148)!;
    expect(b.low).toBeCloseTo(0.0624, 4);
    expect(b.high).toBeCloseTo(0.1605, 4);
  });

  it('stays inside [0, 1] at the edges and is wide for a tiny sample', () => {
    const all = wilson(1, 1)!;
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.2065, 4);
    const none = wilson(0, 10)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    expect(wilson(0, 0)).toBeNull();
  });

  it('narrows as the sample grows at the same rate', () => {
    const small = wilson(8, 10)!;
    const large = wilson(800, 1000)!;
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(large.low).toBeGreaterThan(small.low);
  });
});
