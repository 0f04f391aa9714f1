import { DEADLINE_COLORS, DEADLINE_STATES, rgba, STATUS_COLORS } from './colors.js';

/**
 * Report points decoded from the binary answer of /api/stats/points into
 * typed arrays deck.gl takes as attributes directly, with no object per point.
 */
export interface PointColumns {
  length: number;
  /** Interleaved [lon, lat] pairs. */
  positions: Float32Array;
  /** RGBA per point: handling status. */
  fill: Uint8Array;
  /** RGBA per point: deadline state. */
  line: Uint8Array;
  status: Uint8Array;
  deadline: Uint8Array;
  statuses: string[];
  codes: Uint8Array;
}

/**
 * Layout (little-endian): u32 n, n × f32 lon, n × f32 lat, n × u8 status,
 * n × u8 deadline state, n × 8 ASCII code bytes.
 */
export function decodePoints(buffer: ArrayBuffer, statuses: string[]): PointColumns {
  const view = new DataView(buffer);
  const n = buffer.byteLength >= 4 ? view.getUint32(0, true) : 0;
  const expected = 4 + n * 18;
  if (buffer.byteLength < expected) throw new Error(`points buffer is ${buffer.byteLength} bytes, expected ${expected}`);
  // The float runs start at offset 4, which keeps them 4-byte aligned for Float32Array views.
  const lon = new Float32Array(buffer, 4, n);
  const lat = new Float32Array(buffer, 4 + n * 4, n);
  const status = new Uint8Array(buffer, 4 + n * 8, n);
  const deadline = new Uint8Array(buffer, 4 + n * 9, n);
  const codes = new Uint8Array(buffer, 4 + n * 10, n * 8);

  const statusRgba = statuses.map((s) => rgba(STATUS_COLORS[s as keyof typeof STATUS_COLORS] ?? '#94a3b8'));
  const deadlineRgba = DEADLINE_STATES.map((s) => rgba(DEADLINE_COLORS[s], s === 'none' ? 200 : 255));
  const positions = new Float32Array(n * 2);
  const fill = new Uint8Array(n * 4);
  const line = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    positions[2 * i] = lon[i];
    positions[2 * i + 1] = lat[i];
    fill.set(statusRgba[status[i]] ?? [148, 163, 184, 255], 4 * i);
    line.set(deadlineRgba[deadline[i]] ?? deadlineRgba[0], 4 * i);
  }
  return { length: n, positions, fill, line, status, deadline, statuses, codes };
}

/** The report code of point i. */
export function pointCode(p: PointColumns, i: number): string {
  return String.fromCharCode(...p.codes.subarray(i * 8, i * 8 + 8)).trim();
}
