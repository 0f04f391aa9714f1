import { insertAudit, type AuditOutcome } from '../db/audit.repo.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../log.js';

/**
 * One security-relevant event (ASVS 5.0 V16.3): who (a staff member, an API
 * client, or an address alone), what, on what, and how it ended. Action names
 * are dotted: auth.login, auth.logout, auth.totp.enrol, auth.password.change,
 * access.refused, export.download, open311.status_change, …
 */
export interface SecurityEvent {
  action: string;
  outcome: AuditOutcome;
  actorId?: number | null;
  /** A non-staff actor, e.g. `api_key:3 Zalo mini app`. */
  client?: string | null;
  ip?: string | null;
  target?: { entity: string; id: string };
  /** Facts worth keeping (never a password, code, token or secret). */
  detail?: Record<string, unknown>;
  reason?: string | null;
}

/**
 * Writes the event as an audit row and a structured log line. Pass a
 * transaction to tie the row to the change it records; the log line is
 * written either way, so a log shipper sees events even if the row is rolled back.
 */
export async function recordSecurityEvent(db: Db, event: SecurityEvent, logger?: Logger): Promise<void> {
  const target = event.target ?? { entity: 'system', id: '' };
  logger?.[event.outcome === 'success' ? 'info' : 'warn']({
    security_event: event.action, outcome: event.outcome, actor_id: event.actorId ?? null, client: event.client ?? null,
    ip: event.ip ?? null, target: `${target.entity}:${target.id}`, reason: event.reason ?? undefined, detail: event.detail,
  }, 'security event');
  await insertAudit(db, {
    actorId: event.actorId ?? null, client: event.client ?? null, ip: event.ip ?? null, outcome: event.outcome,
    action: event.action, entity: target.entity, entityId: target.id, after: event.detail, reason: event.reason ?? null,
  });
}

/**
 * Decides which 401/403 refusals become audit rows, so an anonymous flood
 * cannot fill the table: at most one row per address and error code per
 * window, and at most `perWindow` rows in all per window. A row carries how
 * many refusals were left out since the last one for its key. The access log
 * still has a line for every refusal.
 */
export class RefusalSampler {
  private readonly keys = new Map<string, { until: number; suppressed: number }>();
  private windowStart = 0;
  private taken = 0;

  constructor(private readonly windowMs = 60_000, private readonly perWindow = 100) {}

  /** The number of refusals left out before this one, or undefined when this one is left out too. */
  take(key: string, now = Date.now()): number | undefined {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.taken = 0;
      for (const [k, v] of this.keys) if (v.until <= now && v.suppressed === 0) this.keys.delete(k);
    }
    const entry = this.keys.get(key);
    if ((entry && entry.until > now) || this.taken >= this.perWindow) {
      if (entry) entry.suppressed++;
      else if (this.keys.size < 100_000) this.keys.set(key, { until: now, suppressed: 1 });
      return undefined;
    }
    this.taken++;
    const suppressed = entry?.suppressed ?? 0;
    this.keys.set(key, { until: now + this.windowMs, suppressed: 0 });
    return suppressed;
  }
}
