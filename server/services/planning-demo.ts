import type { Kysely } from 'kysely';
import { findPlanBySource, insertPlan, insertZones, type NewZoneInput } from '../db/planning.repo.js';
import type { Database } from '../db/database.js';

/**
 * A generated, NON-LEGAL planning layer for central Buôn Ma Thuột, so the
 * lookup and the map have something realistic to show before real plans are
 * imported. Everything it writes is marked demo (plans.is_demo, source 'demo:').
 */
export const DEMO_DETAILED_SOURCE = 'demo:generated-bmt-detailed-v1';
export const DEMO_GENERAL_SOURCE = 'demo:generated-bmt-general-v1';

/** Centre of the demo grid: Ngã Sáu Buôn Ma Thuột (the central roundabout). */
export const DEMO_CENTRE = { lon: 108.0383, lat: 12.6667 };
const COLS = 20;
const ROWS = 16;
const BLOCK_LON = 0.0011; // ≈ 120 m
const BLOCK_LAT = 0.001; // ≈ 110 m
const STREET = 0.00016; // ≈ 17 m right of way
const PITCH_LON = BLOCK_LON + STREET;
const PITCH_LAT = BLOCK_LAT + STREET;
/** West and south edges of the grid (the first street's outer edge). */
const WEST = DEMO_CENTRE.lon - (COLS * PITCH_LON + STREET) / 2;
const SOUTH = DEMO_CENTRE.lat - (ROWS * PITCH_LAT + STREET) / 2;
export const DEMO_BBOX: [number, number, number, number] = [
  WEST, SOUTH, WEST + COLS * PITCH_LON + STREET, SOUTH + ROWS * PITCH_LAT + STREET,
];

/** Deterministic PRNG (mulberry32), so every install generates the same demo plan. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (v: number) => Math.round(v * 1e7) / 1e7;
const rect = (w: number, s: number, e: number, n: number): GeoJSON.Polygon => ({
  type: 'Polygon',
  coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]].map(([x, y]) => [round(x), round(y)])],
});

type Limits = Pick<NewZoneInput, 'max_height_m' | 'max_floors' | 'density_pct' | 'far' | 'min_lot_m2' | 'notes'>;

/** Limits a Vietnamese detailed plan typically sets for each use (QCVN 01:2021/BXD ranges). */
function limitsFor(code: string, ring: number, r: () => number): Limits {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  switch (code) {
    case 'ODT': {
      const floors = ring < 3 ? pick([5, 6, 7]) : ring < 6 ? pick([4, 5]) : pick([3, 4]);
      const density = ring < 3 ? pick([80, 85, 90]) : pick([70, 75, 80]);
      return { max_floors: floors, max_height_m: floors * 3.6 + 2, density_pct: density, far: Math.round(floors * density) / 100, min_lot_m2: ring < 3 ? 40 : pick([50, 60, 80]), notes: 'Nhà liên kế, biệt thự; khoảng lùi tối thiểu 3 m so với chỉ giới đường đỏ.' };
    }
    case 'TMD': {
      const floors = ring < 2 ? pick([12, 15, 18]) : pick([7, 9, 11]);
      return { max_floors: floors, max_height_m: floors * 4 + 4, density_pct: pick([50, 60]), far: Math.round(floors * 0.5 * 10) / 10, min_lot_m2: 1000, notes: 'Công trình thương mại, dịch vụ, văn phòng; bố trí đỗ xe trong khuôn viên.' };
    }
    case 'DCH':
      return { max_floors: 3, max_height_m: 15, density_pct: 60, far: 1.8, min_lot_m2: null, notes: 'Chợ dân sinh.' };
    case 'TSC':
      return { max_floors: 9, max_height_m: 38, density_pct: 40, far: 3, min_lot_m2: null, notes: 'Trụ sở cơ quan hành chính.' };
    case 'DGD':
      return { max_floors: 4, max_height_m: 18, density_pct: 40, far: 1.6, min_lot_m2: null, notes: 'Trường học; tối thiểu 30% diện tích cây xanh.' };
    case 'DYT':
      return { max_floors: 9, max_height_m: 38, density_pct: 40, far: 3.6, min_lot_m2: null, notes: 'Cơ sở y tế.' };
    case 'DVH':
      return { max_floors: 5, max_height_m: 25, density_pct: 40, far: 2, min_lot_m2: null, notes: 'Công trình văn hóa.' };
    case 'DTT':
      return { max_floors: 3, max_height_m: 20, density_pct: 30, far: 0.9, min_lot_m2: null, notes: 'Sân, nhà thi đấu thể thao.' };
    case 'DKV':
      return { max_floors: 1, max_height_m: 6, density_pct: 5, far: 0.05, min_lot_m2: null, notes: 'Công viên, cây xanh công cộng; không xây dựng nhà ở.' };
    case 'TON':
      return { max_floors: 3, max_height_m: 20, density_pct: 40, far: 1.2, min_lot_m2: null, notes: 'Cơ sở tôn giáo hiện hữu, giữ nguyên.' };
    case 'CQP':
      return { max_floors: null, max_height_m: null, density_pct: null, far: null, min_lot_m2: null, notes: 'Đất quốc phòng; quản lý theo quy định riêng.' };
    case 'SKC':
      return { max_floors: 3, max_height_m: 18, density_pct: 60, far: 1.8, min_lot_m2: 2000, notes: 'Cơ sở sản xuất không gây ô nhiễm; cần đánh giá tác động môi trường.' };
    case 'CLN':
      return { max_floors: 1, max_height_m: 5, density_pct: 5, far: 0.05, min_lot_m2: 500, notes: 'Vườn cà phê, cây lâu năm; chỉ xây công trình phục vụ sản xuất.' };
    case 'NTD':
      return { max_floors: null, max_height_m: null, density_pct: null, far: null, min_lot_m2: null, notes: 'Nghĩa trang hiện hữu; đóng cửa, trồng cây xanh cách ly.' };
    case 'MNC':
      return { max_floors: null, max_height_m: null, density_pct: null, far: null, min_lot_m2: null, notes: 'Hồ điều hòa, mặt nước.' };
    case 'DGT':
      return { max_floors: null, max_height_m: null, density_pct: null, far: null, min_lot_m2: null, notes: 'Đường giao thông, chỉ giới đường đỏ theo quy hoạch.' };
    default:
      return { max_floors: null, max_height_m: null, density_pct: null, far: null, min_lot_m2: null, notes: null };
  }
}

/** Picks a use for a block by its distance (in blocks) from the centre: commerce in the core, coffee gardens outside. */
function codeFor(ring: number, r: () => number): string {
  const roll = r();
  if (ring < 2) return roll < 0.45 ? 'TMD' : roll < 0.85 ? 'ODT' : roll < 0.92 ? 'TSC' : 'DVH';
  if (ring < 5) {
    if (roll < 0.62) return 'ODT';
    if (roll < 0.72) return 'TMD';
    if (roll < 0.78) return 'DGD';
    if (roll < 0.82) return 'DYT';
    if (roll < 0.88) return 'DKV';
    if (roll < 0.91) return 'DCH';
    if (roll < 0.94) return 'TON';
    if (roll < 0.97) return 'DTT';
    return 'TSC';
  }
  if (roll < 0.55) return 'ODT';
  if (roll < 0.75) return 'CLN';
  if (roll < 0.81) return 'DGD';
  if (roll < 0.87) return 'DKV';
  if (roll < 0.91) return 'SKC';
  if (roll < 0.94) return 'DTT';
  if (roll < 0.97) return 'NTD';
  return 'CQP';
}

/** The demo detailed plan's zones: blocks split into parcels along a street grid, plus the streets. */
export function generateDemoZones(seed = 6601): NewZoneInput[] {
  const r = rng(seed);
  const zones: NewZoneInput[] = [];
  const cc = (COLS - 1) / 2;
  const rc = (ROWS - 1) / 2;
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLS; col++) {
      const w = WEST + STREET + col * PITCH_LON;
      const s = SOUTH + STREET + row * PITCH_LAT;
      const e = w + BLOCK_LON;
      const n = s + BLOCK_LAT;
      const ring = Math.max(Math.abs(col - cc), Math.abs(row - rc));
      const label = `Ô ${String.fromCharCode(65 + row)}${col + 1}`;
      // A lake (hồ điều hòa) two blocks north-east of the core.
      if (row === ROWS - 4 && (col === COLS - 6 || col === COLS - 7)) {
        zones.push({ land_use_code: 'MNC', label, ...limitsFor('MNC', ring, r), geometry: rect(w, s, e, n) });
        continue;
      }
      // Blocks split into 1, 2 or 4 parcels that share their edges exactly.
      const roll = r();
      const parts = roll < 0.3 ? 1 : roll < 0.75 ? 2 : 4;
      const cells: [number, number, number, number][] = [];
      const midLon = round(w + BLOCK_LON / 2);
      const midLat = round(s + BLOCK_LAT / 2);
      if (parts === 1) cells.push([w, s, e, n]);
      else if (parts === 2) cells.push([w, s, midLon, n], [midLon, s, e, n]);
      else cells.push([w, s, midLon, midLat], [midLon, s, e, midLat], [w, midLat, midLon, n], [midLon, midLat, e, n]);
      cells.forEach((cell, k) => {
        const code = codeFor(ring, r);
        zones.push({ land_use_code: code, label: `${label}-${k + 1}`, ...limitsFor(code, ring, r), geometry: rect(...cell) });
      });
    }
  }
  // Streets: full-length east–west strips, and north–south strips broken at each crossing, so nothing overlaps.
  for (let row = 0; row <= ROWS; row++) {
    const s = SOUTH + row * PITCH_LAT;
    zones.push({
      land_use_code: 'DGT', label: `Đường ngang số ${row + 1}`, ...limitsFor('DGT', 0, r),
      geometry: rect(WEST, s, WEST + COLS * PITCH_LON + STREET, s + STREET),
    });
  }
  for (let col = 0; col <= COLS; col++) {
    const w = WEST + col * PITCH_LON;
    const polygons = [];
    for (let row = 0; row < ROWS; row++) {
      const s = SOUTH + STREET + row * PITCH_LAT;
      polygons.push(rect(w, s, w + STREET, s + BLOCK_LAT).coordinates);
    }
    zones.push({ land_use_code: 'DGT', label: `Đường dọc số ${col + 1}`, ...limitsFor('DGT', 0, r), geometry: { type: 'MultiPolygon', coordinates: polygons } });
  }
  return zones;
}

/** The demo general plan: four large development areas around the centre. */
export function generateDemoGeneralZones(): NewZoneInput[] {
  const { lon, lat } = DEMO_CENTRE;
  const d = 0.03;
  const quadrant = (code: string, label: string, notes: string, w: number, s: number, e: number, n: number): NewZoneInput => ({
    land_use_code: code, label, notes, max_floors: code === 'ODT' ? 9 : null, density_pct: code === 'ODT' ? 80 : null,
    far: code === 'ODT' ? 4 : null, max_height_m: code === 'ODT' ? 36 : null, min_lot_m2: null, geometry: rect(w, s, e, n),
  });
  return [
    quadrant('ODT', 'Khu đô thị trung tâm hiện hữu (phía Bắc)', 'Cải tạo, chỉnh trang đô thị hiện hữu.', lon - d, lat, lon + d, lat + d),
    quadrant('ODT', 'Khu đô thị trung tâm hiện hữu (phía Nam)', 'Cải tạo, chỉnh trang đô thị hiện hữu.', lon - d, lat - d, lon + d, lat),
    quadrant('TMD', 'Khu thương mại, dịch vụ phía Đông', 'Phát triển dịch vụ, logistics.', lon + d, lat - d, lon + 2 * d, lat + d),
    quadrant('CLN', 'Vùng cà phê, cây lâu năm phía Tây', 'Giữ ổn định vùng sản xuất nông nghiệp.', lon - 2 * d, lat - d, lon - d, lat + d),
  ];
}

/**
 * Seeds the demo plans once (idempotent, keyed on their source); returns how
 * many plans it added. Call after migrations at startup.
 */
export async function ensureDemoPlan(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let added = 0;
    if (!(await findPlanBySource(trx, DEMO_GENERAL_SOURCE))) {
      const id = await insertPlan(trx, {
        name: 'Quy hoạch chung TP. Buôn Ma Thuột (DỮ LIỆU MẪU)', level: 'general', authority: 'Dữ liệu mẫu — không có giá trị pháp lý',
        decision_number: 'DEMO-QHC-01', decision_date: '2024-03-15', scale: '1:10.000', status: 'in_force',
        source: DEMO_GENERAL_SOURCE, is_demo: true,
      });
      await insertZones(trx, id, generateDemoGeneralZones());
      added++;
    }
    if (!(await findPlanBySource(trx, DEMO_DETAILED_SOURCE))) {
      const id = await insertPlan(trx, {
        name: 'Quy hoạch chi tiết khu trung tâm Buôn Ma Thuột (DỮ LIỆU MẪU)', level: 'detailed', authority: 'Dữ liệu mẫu — không có giá trị pháp lý',
        decision_number: 'DEMO-QHCT-01', decision_date: '2025-07-01', scale: '1:500', status: 'in_force',
        source: DEMO_DETAILED_SOURCE, is_demo: true,
      });
      const zones = generateDemoZones();
      for (let i = 0; i < zones.length; i += 200) await insertZones(trx, id, zones.slice(i, i + 200));
      added++;
    }
    return added;
  });
}
