import { router } from '../router.svelte.js';
import { fetchInbox, type InboxItem, type InboxQuery, type StaffUser } from './client.js';
import { staffSession } from './session.svelte.js';

export type Tab = InboxQuery['inbox'];
export const FILTER_KEYS = ['status', 'field', 'sla', 'area', 'unit'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** The inboxes each role sees, the first being its home. */
export function tabsFor(user: StaffUser | null): Tab[] {
  switch (user?.role) {
    case 'dispatcher': return ['dispatch', 'overdue', 'all'];
    case 'officer': return ['unit', 'overdue', 'all'];
    case 'admin': return user.unit_id ? ['dispatch', 'unit', 'overdue', 'all'] : ['dispatch', 'overdue', 'all'];
    default: return ['all', 'overdue'];
  }
}

/**
 * What the inbox shows, read from the URL (the source of truth): tab,
 * filters and sort. Changing a filter pushes a history entry, so the back
 * button undoes it and a link reproduces the view.
 */
export class InboxView {
  tabs = $derived(tabsFor(staffSession.user));
  tab = $derived.by<Tab>(() => {
    const wanted = router.query.get('tab') as Tab | null;
    return wanted && this.tabs.includes(wanted) ? wanted : this.tabs[0];
  });
  sort = $derived<'created' | 'due'>(router.query.get('sort') === 'due' ? 'due' : 'created');
  filters = $derived(Object.fromEntries(FILTER_KEYS.map((k) => [k, router.query.get(k) ?? ''])) as Record<FilterKey, string>);
  activeFilters = $derived(FILTER_KEYS.filter((k) => this.filters[k] !== ''));

  query = $derived<InboxQuery>({ inbox: this.tab, sort: this.sort, ...this.filters });

  set(changes: Partial<Record<FilterKey | 'tab' | 'sort', string | null>>) {
    const next = new URLSearchParams(router.search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '' || value === undefined) next.delete(key);
      else next.set(key, value);
    }
    const search = next.toString();
    router.navigate(`/staff${search ? `?${search}` : ''}`);
  }

  clear() {
    this.set(Object.fromEntries(FILTER_KEYS.map((k) => [k, null])));
  }
}

/** Where "back to the inbox" goes: the last inbox view, filters included. */
export const lastInbox = $state({ url: '/staff' });

/** One inbox listing with keyset "load more"; a new query aborts the one in flight. */
export class InboxList {
  items = $state.raw<InboxItem[]>([]);
  nextCursor = $state<string | null>(null);
  /** Open reports of this view held for review; only dispatchers and admins get the figure. */
  heldForReview = $state<number | null>(null);
  loading = $state(false);
  error = $state<unknown>(null);

  private request: AbortController | undefined;
  private query: InboxQuery | undefined;

  async load(query: InboxQuery) {
    this.query = query;
    this.items = [];
    this.nextCursor = null;
    await this.fetch(undefined);
  }

  async more() {
    if (!this.nextCursor || this.loading) return;
    await this.fetch(this.nextCursor);
  }

  async reload() {
    if (this.query) await this.load(this.query);
  }

  private async fetch(cursor: string | undefined) {
    if (!this.query) return;
    this.request?.abort();
    const request = (this.request = new AbortController());
    this.loading = true;
    this.error = null;
    try {
      const page = await fetchInbox({ ...this.query, cursor }, request.signal);
      this.items = cursor ? [...this.items, ...page.items] : page.items;
      this.nextCursor = page.next_cursor;
      this.heldForReview = 'held_for_review' in page ? (page.held_for_review ?? null) : null;
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.error = error;
    } finally {
      if (this.request === request) this.loading = false;
    }
  }

  dispose() {
    this.request?.abort();
  }
}

/** Which rows are ticked for bulk assignment. */
export class Selection {
  codes = $state<string[]>([]);
  count = $derived(this.codes.length);

  has(code: string) {
    return this.codes.includes(code);
  }
  toggle(code: string) {
    this.codes = this.has(code) ? this.codes.filter((c) => c !== code) : [...this.codes, code];
  }
  setAll(codes: string[], on: boolean) {
    this.codes = on ? [...new Set([...this.codes, ...codes])] : this.codes.filter((c) => !codes.includes(c));
  }
  clear() {
    this.codes = [];
  }
}
