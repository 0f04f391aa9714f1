import { describe, expect, it } from 'vitest';
import { HANDLING_BUCKET_EDGES } from '../../server/db/stats.repo.js';
import { estimateMedian } from '../../server/services/stats.js';

const histogram = (counts: Record<number, number>) => {
  const h = Array<number>(HANDLING_BUCKET_EDGES.length + 1).fill(0);
  for (const [bucket, n] of Object.entries(counts)) h[Number(bucket)] = n;
  return h;
};

describe('hexagon median estimate', () => {
  it('is null without resolved reports', () => {
    expect(estimateMedian(histogram({}))).toBeNull();
  });

  it('stays inside the bucket that holds the median and moves with the rank', () => {
    const b = HANDLING_BUCKET_EDGES.indexOf(72); // bucket [66, 72)
    const one = estimateMedian(histogram({ [b]: 1 }))!;
    expect(one).toBe(69); // a single report: the middle of its bucket
    const skewed = estimateMedian(histogram({ [b - 1]: 1, [b]: 3 }))!; // rank 1.5 of 4: second report of [66, 72)
    expect(skewed).toBeGreaterThan(66);
    expect(skewed).toBeLessThan(72);
    expect(skewed).toBeCloseTo(66 + (1 / 3) * 6, 9);
  });

  it('reports the lower edge of the open-ended last bucket', () => {
    expect(estimateMedian(histogram({ [HANDLING_BUCKET_EDGES.length]: 5 }))).toBe(720);
  });
});
