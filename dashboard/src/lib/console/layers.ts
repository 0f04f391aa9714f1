import { H3HexagonLayer, ScatterplotLayer, TextLayer } from 'deck.gl';
import type { HexStat } from './client.js';
import { GOOD_RAMP, HEAT_RAMP, rampColor, rgba } from './colors.js';
import type { PointColumns } from './points.js';
import type { HexMetric } from './view.svelte.js';

/** deck.gl layers of the console and the wall. Each call returns new layers; deck diffs them by id. */

export interface Pulse {
  id: number;
  position: [number, number];
  at: number;
  kind: 'new' | 'changed';
}

export const PULSE_MS = 4000;

/**
 * Reports as dots: fill = handling status, ring = deadline state. The typed
 * arrays go to the GPU as they are (binary attributes), so 50k points cost
 * one upload, not 50k objects.
 */
export function pointsLayer(points: PointColumns, opts: { radius: number; pickable: boolean; highlight?: number | null }) {
  return new ScatterplotLayer({
    id: 'report-points',
    data: {
      length: points.length,
      attributes: {
        getPosition: { value: points.positions, size: 2 },
        getFillColor: { value: points.fill, size: 4, normalized: true },
        getLineColor: { value: points.line, size: 4, normalized: true },
      },
    },
    radiusUnits: 'pixels',
    getRadius: opts.radius,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: Math.max(2, opts.radius * 0.45),
    radiusMinPixels: 2,
    pickable: opts.pickable,
    autoHighlight: opts.pickable,
    highlightColor: [255, 255, 255, 200],
    highlightedObjectIndex: opts.highlight ?? -1,
    parameters: { depthCompare: 'always' },
  });
}

export interface HexScale {
  value: (h: HexStat) => number | null;
  max: number;
  ramp: readonly string[];
  /** Higher is worse for every hex metric; the legend reads low → high. */
  format: (v: number) => string;
}

export function hexScale(hexes: HexStat[], metric: HexMetric, formatHours: (h: number) => string): HexScale {
  const value =
    metric === 'count'
      ? (h: HexStat) => h.count
      : metric === 'overdue_share'
        ? (h: HexStat) => (h.open > 0 ? h.overdue / h.open : null)
        : (h: HexStat) => h.median_handling_hours;
  let max = 0;
  for (const h of hexes) max = Math.max(max, value(h) ?? 0);
  if (metric === 'overdue_share') max = Math.max(max, 0.05);
  const format =
    metric === 'count' ? (v: number) => String(Math.round(v)) : metric === 'overdue_share' ? (v: number) => `${Math.round(v * 100)}%` : formatHours;
  return { value, max: Math.max(max, 1e-9), ramp: HEAT_RAMP, format };
}

export function hexLayer(hexes: HexStat[], scale: HexScale, metric: HexMetric, opts: { opacity: number }) {
  return new H3HexagonLayer<HexStat>({
    id: 'report-hexes',
    data: hexes,
    getHexagon: (h) => h.h3,
    getFillColor: (h) => {
      const v = scale.value(h);
      if (v === null) return [100, 116, 139, 120];
      // Square-root scale: one busy cell should not wash every other cell out.
      return rgba(rampColor(scale.ramp, Math.sqrt(v / scale.max)), 215);
    },
    getLineColor: [10, 16, 32, 200],
    lineWidthUnits: 'pixels',
    getLineWidth: 1,
    stroked: true,
    filled: true,
    extruded: false,
    coverage: 0.94,
    opacity: opts.opacity,
    pickable: true,
    autoHighlight: true,
    highlightColor: [255, 255, 255, 90],
    updateTriggers: { getFillColor: [metric, scale.max] },
  });
}

/** New reports ring outward for PULSE_MS: two expanding circles that fade. */
export function pulseLayers(pulses: Pulse[], now: number) {
  const progress = (p: Pulse) => Math.min(1, (now - p.at) / PULSE_MS);
  const color = (p: Pulse, alpha: number): [number, number, number, number] =>
    p.kind === 'new' ? [56, 189, 248, Math.round(alpha)] : [250, 204, 21, Math.round(alpha)];
  return [
    new ScatterplotLayer<Pulse>({
      id: 'pulse-rings',
      data: pulses,
      getPosition: (p) => p.position,
      radiusUnits: 'pixels',
      getRadius: (p) => 8 + 52 * ((progress(p) * 2) % 1),
      stroked: true,
      filled: false,
      lineWidthUnits: 'pixels',
      getLineWidth: 3,
      getLineColor: (p) => color(p, 255 * (1 - ((progress(p) * 2) % 1))),
      updateTriggers: { getRadius: now, getLineColor: now },
      parameters: { depthCompare: 'always' },
    }),
    new ScatterplotLayer<Pulse>({
      id: 'pulse-cores',
      data: pulses,
      getPosition: (p) => p.position,
      radiusUnits: 'pixels',
      getRadius: 7,
      getFillColor: (p) => color(p, 255 * (1 - progress(p) * 0.6)),
      stroked: true,
      getLineColor: [255, 255, 255, 255],
      lineWidthUnits: 'pixels',
      getLineWidth: 2,
      updateTriggers: { getFillColor: now },
      parameters: { depthCompare: 'always' },
    }),
  ];
}

export interface MapLabel {
  code: string;
  text: string;
  position: [number, number];
  priority: number;
  /** A second line under the name (a figure), optional. */
  size: number;
}

// No web fonts may be fetched: the atlas is drawn from whichever of these the system has.
const FONT_FAMILY = '"Noto Sans", "DejaVu Sans", Arial, sans-serif';

/** Area names on a dark map: light text on a dark halo. */
export function darkLabelLayer(id: string, labels: MapLabel[], weight = 700) {
  return new TextLayer<MapLabel>({
    id,
    data: labels,
    getPosition: (d) => d.position,
    getText: (d) => d.text,
    getSize: (d) => d.size,
    characterSet: 'auto',
    fontFamily: FONT_FAMILY,
    fontWeight: weight,
    fontSettings: { sdf: true, fontSize: 64, buffer: 6, radius: 12 },
    outlineWidth: 5,
    outlineColor: [6, 10, 22, 235],
    getColor: [241, 245, 249, 255],
    sizeUnits: 'pixels',
    getTextAnchor: 'middle',
    getAlignmentBaseline: 'center',
    billboard: true,
    parameters: { depthCompare: 'always' },
  });
}

export { GOOD_RAMP, HEAT_RAMP };

export interface RampLegend {
  colors: readonly string[];
  low: string;
  high: string;
  /** A word between the ends, e.g. which end is good. */
  caption?: string;
}
