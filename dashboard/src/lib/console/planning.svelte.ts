import { fetchLandUses, fetchPlans, type LandUse } from '../planning/api.js';
import type { Bbox } from './client.js';

/** The planning tiles start here (planningSource's minzoom): below it the layer draws nothing. */
export const PLANNING_MIN_ZOOM = 12;

/** What the planning layer draws in the current view, as the map reports it once idle. */
export interface PlanningInView {
  codes: string[];
  /** Some drawn zone belongs to a generated demo plan. */
  demo: boolean;
}

/**
 * The console's planning legend: the land-use classes drawn in the view (the
 * full list has 50-odd codes, too long to read on a wall), in the order of the
 * national classification, and the extent of the in-force plans so an
 * operator at province zoom can jump to where there is something to see.
 */
export class PlanningLegend {
  landUses = $state.raw<LandUse[]>([]);
  extent = $state.raw<Bbox | null>(null);
  inView = $state.raw<PlanningInView>({ codes: [], demo: false });
  #started = false;
  #controller = new AbortController();

  items = $derived(this.landUses.filter((c) => this.inView.codes.includes(c.code)));

  /** Fetches the classes and plans once, the first time the layer is switched on. */
  load() {
    if (this.#started) return;
    this.#started = true;
    const { signal } = this.#controller;
    Promise.all([fetchLandUses(signal), fetchPlans(signal)]).then(
      ([classes, plans]) => {
        this.landUses = classes;
        this.extent = unionBbox(plans.filter((p) => p.status === 'in_force' && p.zone_count > 0).map((p) => p.bbox));
      },
      (error: Error) => {
        if (error.name === 'AbortError') return;
        console.error(error);
        // Switching the layer off and on again retries.
        this.#started = false;
      },
    );
  }

  setInView(next: PlanningInView) {
    const same = next.demo === this.inView.demo && next.codes.join() === this.inView.codes.join();
    if (!same) this.inView = next;
  }

  dispose() {
    this.#controller.abort();
  }
}

/** The box around every given box; null when there is none. */
export function unionBbox(boxes: (number[] | null)[]): Bbox | null {
  let out: Bbox | null = null;
  for (const b of boxes) {
    if (!b || b.length !== 4) continue;
    out = out ? [Math.min(out[0], b[0]), Math.min(out[1], b[1]), Math.max(out[2], b[2]), Math.max(out[3], b[3])] : [b[0], b[1], b[2], b[3]];
  }
  return out;
}
