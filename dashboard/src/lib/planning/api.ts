import type { InferResponseType } from 'hono/client';
import { api, unwrap } from '../api.js';

export type PlanningLookup = InferResponseType<typeof api.planning.lookup.$get, 200>;
export type PlanningZone = PlanningLookup['zones'][number];
export type LandUse = InferResponseType<(typeof api.planning)['land-uses']['$get'], 200>['land_uses'][number];
export type PlanSummary = InferResponseType<typeof api.planning.plans.$get, 200>['plans'][number];

/** Every plan zone at a point, most detailed plan first. */
export async function lookupPlanning(lat: number, lon: number, signal?: AbortSignal): Promise<PlanningLookup> {
  return unwrap(await api.planning.lookup.$get({ query: { lat: String(lat), lon: String(lon) } }, { init: { signal } }));
}

export async function fetchLandUses(signal?: AbortSignal): Promise<LandUse[]> {
  return (await unwrap<{ land_uses: LandUse[] }>(await api.planning['land-uses'].$get(undefined, { init: { signal } }))).land_uses;
}

/** Every plan with its zone count and extent ([w, s, e, n]). */
export async function fetchPlans(signal?: AbortSignal): Promise<PlanSummary[]> {
  return (await unwrap<{ plans: PlanSummary[] }>(await api.planning.plans.$get(undefined, { init: { signal } }))).plans;
}

/** Parses "12.6667, 108.0383" (lat, lon) or "12.6667 108.0383"; undefined when it is not a coordinate pair. */
export function parseLatLon(text: string): { lat: number; lon: number } | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return undefined;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  return { lat, lon };
}
