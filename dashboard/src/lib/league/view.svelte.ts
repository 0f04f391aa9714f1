import { LEAGUE_MEASURES } from '../../../../server/domain/league.js';
import type { LeagueBy, LeagueMeasure } from '../api.js';
import { router } from '../router.svelte.js';
import { isMonth } from './month.js';

/**
 * What the league page shows, read from and written to the URL so a link
 * reproduces it (?by=ward&month=2026-10) and the back button walks it. The
 * open list of cases is in the URL too (&group=…&measure=…): on a phone,
 * "back" is how people close a sheet.
 */
export class LeagueView {
  by = $derived<LeagueBy>(router.query.get('by') === 'ward' ? 'ward' : 'unit');
  /** null until chosen: the server then answers with the last complete month. */
  month = $derived.by(() => {
    const value = router.query.get('month');
    return isMonth(value) ? value : null;
  });
  /** The row whose cases are listed: a unit id or a ward code, as the API takes it. */
  group = $derived(router.query.get('group'));
  measure = $derived.by<LeagueMeasure>(() => {
    const value = router.query.get('measure');
    return (LEAGUE_MEASURES as readonly string[]).includes(value ?? '') ? (value as LeagueMeasure) : 'resolved';
  });

  /** Whether the open sheet was opened on this page (so closing it can step back instead of piling up history). */
  private openedHere = false;

  setBy(by: LeagueBy) {
    this.push({ by: by === 'unit' ? null : by, group: null, measure: null });
  }

  setMonth(month: string) {
    if (isMonth(month)) this.push({ month, group: null, measure: null });
  }

  /** Writes the month the server chose into the URL without a history entry, so a shared link keeps showing it. */
  settleMonth(month: string) {
    if (!this.month) router.navigate(this.href({ month }), { replace: true });
  }

  openCases(group: string, measure: LeagueMeasure) {
    if (this.group) {
      // Switching figures inside the open sheet: no new entry for each tab.
      router.navigate(this.href({ group, measure }), { replace: true });
      return;
    }
    this.openedHere = true;
    this.push({ group, measure });
  }

  closeCases() {
    if (this.openedHere) {
      this.openedHere = false;
      window.history.back();
    } else {
      router.navigate(this.href({ group: null, measure: null }), { replace: true });
    }
  }

  private push(params: Record<string, string | null>) {
    router.navigate(this.href(params));
  }

  private href(params: Record<string, string | null>): string {
    const next = new URLSearchParams(router.search);
    for (const [key, value] of Object.entries(params)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    const search = next.toString();
    return `${router.path}${search ? `?${search}` : ''}`;
  }
}

/**
 * The latest answer to a request that changes with the view. A new request
 * aborts the one in flight, so a slow answer for last month never lands on
 * top of this month's.
 */
export class Latest<T> {
  value = $state.raw<T | null>(null);
  /** The key `value` belongs to; differs from the wanted key while a new answer is on its way. */
  key = $state<string | null>(null);
  phase = $state<'loading' | 'ready' | 'error'>('loading');
  private request: AbortController | undefined;

  async load(key: string, fetcher: (signal: AbortSignal) => Promise<T>) {
    this.request?.abort();
    const current = (this.request = new AbortController());
    this.phase = 'loading';
    try {
      const value = await fetcher(current.signal);
      if (current.signal.aborted) return;
      this.value = value;
      this.key = key;
      this.phase = 'ready';
    } catch (error) {
      if (current.signal.aborted || (error as Error).name === 'AbortError') return;
      this.phase = 'error';
    }
  }

  dispose() {
    this.request?.abort();
  }
}
