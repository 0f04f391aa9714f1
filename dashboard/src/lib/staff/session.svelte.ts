import type { InferResponseType } from 'hono/client';
import type { api } from '../api.js';
import { router } from '../router.svelte.js';

export type Me = InferResponseType<typeof api.auth.me.$get, 200>;
export type StaffUser = Me['user'];
export type SessionRestriction = NonNullable<Me['restriction']>;

type SessionState = 'unknown' | 'signed-in' | 'signed-out';

/**
 * Who is signed in to the back office, and the CSRF token every
 * state-changing request must echo. The session itself is an HttpOnly cookie
 * the page never sees; this only mirrors what /api/auth/me says about it.
 */
class StaffSession {
  state = $state<SessionState>('unknown');
  user = $state<StaffUser | null>(null);
  csrf = $state<string | null>(null);
  /** Set while the session may only change its password or enrol a second factor. */
  restriction = $state<SessionRestriction | null>(null);

  isDispatch = $derived(this.user?.role === 'dispatcher' || this.user?.role === 'admin');
  isAdmin = $derived(this.user?.role === 'admin');

  private checking: Promise<void> | undefined;

  /** Asks the server once per page load whether a session exists. */
  ensure(load: (signal?: AbortSignal) => Promise<Me>): Promise<void> {
    if (this.state !== 'unknown') return Promise.resolve();
    this.checking ??= load()
      .then((me) => this.signedIn(me))
      .catch(() => this.signedOut())
      .finally(() => {
        this.checking = undefined;
      });
    return this.checking;
  }

  signedIn(me: { user: StaffUser; csrf_token: string; restriction: SessionRestriction | null }) {
    this.user = me.user;
    this.csrf = me.csrf_token;
    this.restriction = me.restriction;
    this.state = 'signed-in';
  }

  signedOut() {
    this.user = null;
    this.csrf = null;
    this.restriction = null;
    this.state = 'signed-out';
  }

  /** A request came back 401: the session timed out or was revoked. */
  expired() {
    if (this.state === 'signed-out') return;
    this.signedOut();
    if (router.path.startsWith('/staff') && router.path !== '/staff/login') {
      router.navigate(`/staff/login?next=${encodeURIComponent(router.path + router.search)}&expired=1`, { replace: true });
    }
  }
}

export const staffSession = new StaffSession();
