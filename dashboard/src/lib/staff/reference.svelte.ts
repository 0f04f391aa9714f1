import { fetchAreas, fetchConfig, fetchFields, type AreaProperties, type Field } from '../api.js';
import { i18n } from '../i18n.svelte.js';
import { fetchUnits, type Unit } from './client.js';

export interface AreaOption {
  code: string;
  level: 'district' | 'ward';
  parent: string | null;
  name_vi: string;
  name_en: string;
}

/**
 * Lists the back office picks from (fields, units, areas). They change
 * rarely, so they are loaded once per page load and shared by every page.
 */
class Reference {
  fields = $state.raw<Field[]>([]);
  units = $state.raw<Unit[]>([]);
  districts = $state.raw<AreaOption[]>([]);
  wards = $state.raw<AreaOption[]>([]);
  /** Whether the server decodes HEIC photos (the photo picker offers them only then). */
  heicAccepted = $state(false);

  fieldName = (code: string) => {
    const f = this.fields.find((x) => x.code === code);
    return f ? i18n.name(f) : code;
  };
  unitName = (id: number | null | undefined) => {
    const u = this.units.find((x) => x.id === id);
    return u ? i18n.name(u) : id ? `#${id}` : '—';
  };
  areaName = (code: string) => {
    const a = this.wards.find((x) => x.code === code) ?? this.districts.find((x) => x.code === code);
    // The province is the only two-digit area code.
    return a ? i18n.name(a) : code.length <= 2 ? i18n.t('staff.sim.wholeProvince') : code;
  };

  private loading: Promise<void> | undefined;

  load(): Promise<void> {
    this.loading ??= Promise.all([
      fetchFields().then((f) => (this.fields = f)),
      fetchUnits().then((u) => (this.units = u)),
      fetchAreas('district', 8).then((c) => (this.districts = c.features.map((f) => option(f.properties)))),
      fetchAreas('ward', 8).then((c) => (this.wards = c.features.map((f) => option(f.properties)))),
      fetchConfig().then((c) => (this.heicAccepted = c.media.heic)),
    ])
      .then(() => undefined)
      .catch((error) => {
        // Let a later page try again.
        this.loading = undefined;
        console.error(error);
      });
    return this.loading;
  }
}

function option(p: AreaProperties): AreaOption {
  return { code: p.code, level: p.level === 'ward' ? 'ward' : 'district', parent: p.parent, name_vi: p.name_vi, name_en: p.name_en };
}

export const reference = new Reference();
