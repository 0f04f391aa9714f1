import { TextLayer } from 'deck.gl';
import type { AreaCollection } from '../api.js';

export interface AreaLabel {
  code: string;
  text: string;
  position: [number, number];
  /** Where labels would overlap, the larger area keeps its name. */
  priority: number;
}

/** Zoom at which ward names replace former-district names. */
export const WARD_LABEL_MIN_ZOOM = 9.6;

export interface LabelStyle {
  size: number;
  weight: number;
}

/** Label sizes for a view: a phone's province is a third of a wall's, so its names shrink too. */
export function labelStyles(viewWidth: number): { district: LabelStyle; ward: LabelStyle } {
  const compact = viewWidth < 720;
  return {
    district: { size: compact ? 12 : 14, weight: 700 },
    ward: { size: compact ? 12 : 13, weight: 600 },
  };
}

// No web fonts may be fetched: the atlas is drawn from whichever of these the system has.
const FONT_FAMILY = '"Noto Sans", "DejaVu Sans", Arial, sans-serif';

/** Former-district names carry a "(cũ)"/"(former …)" suffix that the legend already says. */
const withoutFormerSuffix = (name: string) => name.replace(/\s*\([^)]*\)\s*$/, '');

export function districtLabels(collection: AreaCollection, name: (p: { name_vi: string; name_en: string }) => string, locale: string): AreaLabel[] {
  return collection.features.map((f) => ({
    code: f.properties.code,
    text: withoutFormerSuffix(name(f.properties)).toLocaleUpperCase(locale),
    position: f.properties.label,
    priority: f.properties.area_km2,
  }));
}

export function wardLabels(collection: AreaCollection, name: (p: { name_vi: string; name_en: string }) => string): AreaLabel[] {
  return collection.features.map((f) => ({
    code: f.properties.code,
    text: name(f.properties),
    position: f.properties.label,
    priority: f.properties.area_km2,
  }));
}

const common = {
  getPosition: (d: AreaLabel) => d.position,
  getText: (d: AreaLabel) => d.text,
  // 'auto' builds the atlas from the characters in the data, so Vietnamese diacritics render.
  characterSet: 'auto' as const,
  fontFamily: FONT_FAMILY,
  fontSettings: { sdf: true, fontSize: 64, buffer: 6, radius: 12 },
  outlineColor: [255, 255, 255, 235] as [number, number, number, number],
  sizeUnits: 'pixels' as const,
  getTextAnchor: 'middle' as const,
  getAlignmentBaseline: 'center' as const,
  billboard: true,
  parameters: { depthCompare: 'always' as const },
};

let measureContext: CanvasRenderingContext2D | null | undefined;
const widths = new Map<string, number>();

/** Width in CSS pixels of a label as the atlas font draws it; cached, since names repeat on every move. */
export function labelWidth(text: string, style: LabelStyle): number {
  const key = `${style.weight}/${style.size}/${text}`;
  let width = widths.get(key);
  if (width === undefined) {
    measureContext ??= document.createElement('canvas').getContext('2d');
    if (measureContext) {
      measureContext.font = `${style.weight} ${style.size}px ${FONT_FAMILY}`;
      width = measureContext.measureText(text).width;
    } else {
      width = text.length * style.size * 0.62;
    }
    widths.set(key, width);
  }
  return width;
}

/** Former-district names at low zoom, ward names above WARD_LABEL_MIN_ZOOM; pass only the labels that fit. */
export function labelLayers(districts: AreaLabel[], wards: AreaLabel[], showWards: boolean, styles: { district: LabelStyle; ward: LabelStyle }) {
  return [
    new TextLayer<AreaLabel>({
      ...common,
      id: 'labels-wards',
      data: wards,
      visible: showWards,
      getSize: styles.ward.size,
      fontWeight: styles.ward.weight,
      outlineWidth: 4,
      getColor: [51, 65, 85, 255],
    }),
    new TextLayer<AreaLabel>({
      ...common,
      id: 'labels-districts',
      data: districts,
      visible: !showWards,
      getSize: styles.district.size,
      fontWeight: styles.district.weight,
      outlineWidth: 5,
      getColor: [15, 23, 42, 255],
    }),
  ];
}
