import { fetchAreas, type AreaCollection } from '../api.js';
import { i18n } from '../i18n.svelte.js';
import { collectionBounds } from '../map/bounds.js';
import { detailZoom } from '../map/detail.js';
import { districtLabels, wardLabels } from '../map/labels.js';
import { withTints, type TintedCollection } from '../map/tints.js';

/**
 * The offline basemap's data for one map: province outline, tinted former
 * districts and wards at the detail the zoom needs, plus their labels.
 * Boundaries are large and replaced whole, so they live in $state.raw.
 */
export class BasemapData {
  province = $state.raw<AreaCollection | null>(null);
  districts = $state.raw<TintedCollection | null>(null);
  wards = $state.raw<AreaCollection | null>(null);
  failed = $state(false);

  bounds = $derived(this.districts ? collectionBounds(this.districts) : undefined);
  districtLabels = $derived(this.districts ? districtLabels(this.districts, i18n.name, i18n.locale) : []);
  wardLabels = $derived(this.wards ? wardLabels(this.wards, i18n.name) : []);

  private loaded = 0;
  private request: AbortController | undefined;

  /** Loads the boundaries for a zoom; a later call supersedes an earlier one still in flight. */
  async load(zoom: number) {
    const wanted = detailZoom(zoom);
    if (wanted === this.loaded) return;
    this.request?.abort();
    const request = (this.request = new AbortController());
    try {
      const [p, d, w] = await Promise.all([
        fetchAreas('province', wanted, request.signal),
        fetchAreas('district', wanted, request.signal),
        fetchAreas('ward', wanted, request.signal),
      ]);
      this.province = p;
      this.districts = withTints(d);
      this.wards = w;
      this.loaded = wanted;
      this.failed = false;
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      console.error(error);
      // Coarser boundaries already on screen still make a usable map.
      if (!this.districts) this.failed = true;
    }
  }

  dispose() {
    this.request?.abort();
  }
}
