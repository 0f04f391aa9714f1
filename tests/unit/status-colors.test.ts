import { describe, expect, it } from 'vitest';
import { hexToRgba, STATUS_CHIP_COLORS, STATUS_COLORS } from '../../dashboard/src/lib/citizen/status.js';

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = hexToRgba(hex).slice(0, 3).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('status colours', () => {
  it('gives every status a staff chip, readable at WCAG AA, in the hue the maps use', () => {
    expect(Object.keys(STATUS_CHIP_COLORS).sort()).toEqual(Object.keys(STATUS_COLORS).sort());
    for (const [status, chip] of Object.entries(STATUS_CHIP_COLORS)) {
      expect(contrast(chip.fg, chip.bg), status).toBeGreaterThanOrEqual(4.5);
      // The same hue as the map's dot: the chip's shade is the colour darkened, so its channels keep their order.
      const order = (hex: string) => hexToRgba(hex).slice(0, 3).map((v, i) => [v, i]).sort((x, y) => y[0] - x[0]).map(([, i]) => i).join('');
      const solid = STATUS_COLORS[status as keyof typeof STATUS_COLORS];
      if (new Set(hexToRgba(solid).slice(0, 3)).size === 3) expect(order(chip.fg), status).toBe(order(solid));
    }
  });
});
