import { describe, expect, it } from 'vitest';
import { placeLabels, type LabelBox } from '../../dashboard/src/lib/map/placement.js';

const VIEW = { width: 400, height: 300 };
const box = (x: number, y: number, priority = 1, width = 80, height = 16): LabelBox => ({ x, y, width, height, priority });

describe('placeLabels', () => {
  it('keeps the larger area where two names overlap', () => {
    expect(placeLabels([box(100, 100, 1), box(120, 104, 5)], VIEW)).toEqual([1]);
  });

  it('drops a name that would cover something already drawn there (a hexagon count)', () => {
    const counts = [{ x: 130, y: 100, width: 20, height: 16 }];
    expect(placeLabels([box(100, 100), box(300, 200)], VIEW, 6, counts)).toEqual([1]);
  });

  it('keeps a name clear of the counts by the gap, not just by a pixel', () => {
    // The name ends at x = 140; a count starting at 143 is within the 6 px gap.
    const counts = [{ x: 153, y: 100, width: 20, height: 16 }];
    expect(placeLabels([box(100, 100)], VIEW, 6, counts)).toEqual([]);
    expect(placeLabels([box(100, 100)], VIEW, 0, counts)).toEqual([0]);
  });
});
