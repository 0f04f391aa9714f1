import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import {
  insertDeliveries, leaseDueDeliveries, listActiveWebhooks, lockUndispatched, markDispatched, markOutboxDeliveredWhenComplete,
  recordDeliveryResult,
} from '../db/webhooks.repo.js';
import type { Logger } from '../log.js';
import { resolveWebhookTarget, WebhookTargetRefused, type ResolvedTarget } from './webhook-address.js';

const BATCH = 100;
const DELIVERY_BATCH = 20;
const TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 60 * 60_000;

/** Receivers verify: hex HMAC-SHA256 over `${timestamp}.${body}` with the webhook's secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function backoffMs(attempts: number): number {
  return Math.min(10_000 * 2 ** (attempts - 1), MAX_BACKOFF_MS);
}

/** Turns pending outbox events into one delivery per interested webhook. */
export async function dispatchOutbox(db: Kysely<Database>, now = new Date()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const events = await lockUndispatched(trx, BATCH);
    if (!events.length) return 0;
    const hooks = await listActiveWebhooks(trx);
    const deliveries: { outbox_id: string; webhook_id: number }[] = [];
    const unwanted: string[] = [];
    for (const e of events) {
      const targets = hooks.filter((h) => h.events.includes(e.type) && (h.unit_id === null || h.unit_id === e.unit_id));
      if (!targets.length) unwanted.push(e.id);
      for (const h of targets) deliveries.push({ outbox_id: e.id, webhook_id: h.id });
    }
    await insertDeliveries(trx, deliveries);
    await markDispatched(trx, events.map((e) => e.id), now, unwanted);
    return events.length;
  });
}

/** Where webhooks may go: public addresses only, unless WEBHOOK_ALLOW_PRIVATE (tests, a receiver on the same network). */
export interface WebhookPolicy {
  allowPrivate: boolean;
}

/**
 * POSTs to the address that was checked, not to whatever the host name
 * resolves to a moment later: the lookup hands the socket that one address,
 * while the Host header and TLS name stay the URL's. No redirect is followed.
 */
function post(url: string, target: ResolvedTarget, body: string, headers: Record<string, string>): Promise<number> {
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const parsed = new URL(url);
  const send = parsed.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(parsed, {
      method: 'POST', lookup, signal: AbortSignal.timeout(TIMEOUT_MS), agent: false,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    }, (res) => {
      // Only the status matters; the body is drained and dropped.
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends due deliveries, with no transaction open during the HTTP calls (the
 * embedded engine has a single connection). Receivers de-duplicate on the
 * event id, since a crash after sending but before recording resends.
 * Each target is resolved and checked at delivery time too: a host that
 * resolves to a private address now is refused and logged, never contacted.
 */
export async function deliverDue(db: Kysely<Database>, logger?: Logger, now = new Date(), policy: WebhookPolicy = { allowPrivate: false }): Promise<number> {
  const due = await db.transaction().execute((trx) => leaseDueDeliveries(trx, now, 2 * TIMEOUT_MS + 5_000, DELIVERY_BATCH));
  await Promise.all(due.map(async (d) => {
    const body = JSON.stringify({ id: d.event_id, type: d.type, created_at: d.created_at.toISOString(), data: JSON.parse(d.payload) });
    const timestamp = String(Math.floor(now.getTime() / 1000));
    let status: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      const target = await resolveWebhookTarget(d.url, policy.allowPrivate);
      status = await post(d.url, target, body, {
        'content-type': 'application/json',
        'x-civic-event-id': d.event_id,
        'x-civic-event-type': d.type,
        'x-civic-timestamp': timestamp,
        'x-civic-signature': `sha256=${signWebhook(d.secret, timestamp, body)}`,
      });
    } catch (e) {
      refused = e instanceof WebhookTargetRefused;
      error = e instanceof Error ? e.message : String(e);
    }
    const delivered = status !== null && status >= 200 && status < 300;
    const attempts = d.attempts + 1;
    const at = new Date();
    await db.transaction().execute(async (trx) => {
      await recordDeliveryResult(trx, d.id, {
        delivered, status, error: delivered ? null : error ?? `HTTP ${status}`, attempts,
        nextAttemptAt: new Date(at.getTime() + backoffMs(attempts)), at,
      });
      if (delivered) await markOutboxDeliveredWhenComplete(trx, d.outbox_id, at);
    });
    if (refused) logger?.warn({ delivery: d.id, webhook: d.webhook_id, error, attempts }, 'webhook delivery refused: target not allowed');
    else if (!delivered) logger?.warn({ delivery: d.id, status, error, attempts }, 'webhook delivery failed');
  }));
  return due.length;
}

/** The background loop: dispatch, deliver, repeat; never overlapping itself. */
export function startOutboxWorker(db: Kysely<Database>, logger: Logger, policy: WebhookPolicy, intervalMs = 2000): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      // A full batch means more are due: keep going, or a backlog (after an
      // outage, or under load) drains at one batch per interval.
      do {
        while ((await dispatchOutbox(db)) > 0 && !stopped);
      } while (!stopped && (await deliverDue(db, logger, new Date(), policy)) === DELIVERY_BATCH);
    } catch (error) {
      logger.error({ err: error }, 'outbox worker failed; will retry');
    }
  };
  const timer = setInterval(() => {
    if (!running) running = tick().finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
