import type { NewFieldRow, UnitKind } from '../../db/database.js';

/**
 * Reference data every installation needs before the first report: the
 * report fields and the units that handle them. Inserted idempotently by code.
 */

type SeedField = NewFieldRow & { handled_at: 'ward' | 'province'; deadline_days: number };

// Deadlines follow what Vietnamese provinces publish for their citizen
// feedback portals: outages and lighting within days, land disputes weeks.
export const SEED_FIELDS: SeedField[] = [
  { code: 'road', name_vi: 'Giao thông, đường sá', name_en: 'Roads and traffic', color: '#e8590c', icon: 'construction', deadline_days: 10, duplicate_radius_m: 50, handled_at: 'province', sort_order: 1 },
  { code: 'lighting', name_vi: 'Chiếu sáng công cộng', name_en: 'Street lighting', color: '#f59f00', icon: 'lightbulb', deadline_days: 3, duplicate_radius_m: 30, handled_at: 'ward', sort_order: 2 },
  { code: 'waste', name_vi: 'Rác thải, vệ sinh', name_en: 'Waste and sanitation', color: '#2f9e44', icon: 'trash-2', deadline_days: 3, duplicate_radius_m: 50, handled_at: 'ward', sort_order: 3 },
  { code: 'water', name_vi: 'Cấp nước, thoát nước', name_en: 'Water supply and drainage', color: '#1c7ed6', icon: 'droplets', deadline_days: 5, duplicate_radius_m: 100, handled_at: 'province', sort_order: 4 },
  { code: 'power', name_vi: 'Điện lực', name_en: 'Electricity', color: '#fab005', icon: 'zap', deadline_days: 3, duplicate_radius_m: 100, handled_at: 'province', sort_order: 5 },
  { code: 'urban_order', name_vi: 'Trật tự đô thị, lấn chiếm', name_en: 'Urban order and encroachment', color: '#7048e8', icon: 'store', deadline_days: 7, duplicate_radius_m: 50, handled_at: 'ward', sort_order: 6 },
  { code: 'environment', name_vi: 'Môi trường, tiếng ồn', name_en: 'Environment and noise', color: '#0ca678', icon: 'wind', deadline_days: 7, duplicate_radius_m: 200, handled_at: 'ward', sort_order: 7 },
  { code: 'land', name_vi: 'Đất đai', name_en: 'Land', color: '#a0522d', icon: 'map', deadline_days: 20, duplicate_radius_m: 100, handled_at: 'province', sort_order: 8 },
  { code: 'trees', name_vi: 'Cây xanh', name_en: 'Trees and green space', color: '#5c940d', icon: 'trees', deadline_days: 5, duplicate_radius_m: 30, handled_at: 'ward', sort_order: 9 },
  { code: 'public_safety', name_vi: 'An ninh, an toàn', name_en: 'Public safety', color: '#c92a2a', icon: 'shield-alert', deadline_days: 5, duplicate_radius_m: 100, handled_at: 'province', sort_order: 10 },
  { code: 'official_attitude', name_vi: 'Thái độ cán bộ, thủ tục hành chính', name_en: 'Conduct of officials', color: '#495057', icon: 'user-round-x', deadline_days: 15, duplicate_radius_m: 10, handled_at: 'province', sort_order: 11 },
];

export const WARD_FIELD_CODES = SEED_FIELDS.filter((f) => f.handled_at === 'ward').map((f) => f.code);

export interface SeedProvincialUnit {
  code: string;
  kind: UnitKind;
  name_vi: string;
  name_en: string;
  fields: string[];
  /** Median time to resolve, as a share of the deadline; fixed here so the demo tells a stable story. */
  pace: number;
}

// Emails and phones stay null: a demo database must never notify a real office.
export const PROVINCIAL_UNITS: SeedProvincialUnit[] = [
  { code: 'so-xay-dung', kind: 'department', name_vi: 'Sở Xây dựng tỉnh Đắk Lắk', name_en: 'Dak Lak Department of Construction', fields: ['road'], pace: 0.45 },
  { code: 'so-nong-nghiep-moi-truong', kind: 'department', name_vi: 'Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk', name_en: 'Dak Lak Department of Agriculture and Environment', fields: ['land', 'environment'], pace: 0.7 },
  { code: 'cong-an-tinh', kind: 'department', name_vi: 'Công an tỉnh Đắk Lắk', name_en: 'Dak Lak Provincial Police (Department of Public Security)', fields: ['public_safety'], pace: 0.35 },
  { code: 'so-noi-vu', kind: 'department', name_vi: 'Sở Nội vụ tỉnh Đắk Lắk', name_en: 'Dak Lak Department of Home Affairs', fields: ['official_attitude'], pace: 0.5 },
  { code: 'pc-daklak', kind: 'utility', name_vi: 'Công ty Điện lực Đắk Lắk (PC Đắk Lắk)', name_en: 'Dak Lak Power Company (PC Dak Lak)', fields: ['power'], pace: 0.3 },
  { code: 'cap-thoat-nuoc-daklak', kind: 'utility', name_vi: 'Công ty CP Cấp thoát nước Đắk Lắk', name_en: 'Dak Lak Water Supply and Drainage JSC', fields: ['water'], pace: 0.45 },
];

/** Which provincial unit a province-level field goes to by default. */
export const PROVINCIAL_UNIT_BY_FIELD: Record<string, string> = {
  road: 'so-xay-dung',
  land: 'so-nong-nghiep-moi-truong',
  public_safety: 'cong-an-tinh',
  official_attitude: 'so-noi-vu',
  power: 'pc-daklak',
  water: 'cap-thoat-nuoc-daklak',
};

export function wardUnitCode(wardCode: string): string {
  return `ubnd-${wardCode}`;
}

/** "Phường Tân An" → "UBND phường Tân An", the way documents name a ward committee. */
export function wardUnitNames(fullNameVi: string, fullNameEn: string): { name_vi: string; name_en: string } {
  const vi = fullNameVi.replace(/^(Phường|Xã)\s/, (m) => m.toLowerCase());
  return { name_vi: `UBND ${vi}`, name_en: `People's Committee of ${fullNameEn}` };
}

export const BMT_WARD_CODE = '24133';
