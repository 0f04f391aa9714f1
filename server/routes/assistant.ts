import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AppDeps } from '../app.js';
import { DomainError } from '../errors.js';
import { assistantReply, suggestField } from '../services/assistant/index.js';
import { TokenBuckets } from '../services/assistant/rate-limit.js';
import { AssistantBody, ClassifyBody } from './assistant.schema.js';
import { validate } from './validate.js';

/** The socket's address; requests driven in-process (tests) have none and share one bucket. */
function clientKey(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const assistantRoutes = (deps: AppDeps) => {
  // 20 messages in a burst, then one every 3 seconds, per client address. In memory, per process.
  const chat = new TokenBuckets(20, 1 / 3);
  const classify = new TokenBuckets(60, 1);
  const limit = (buckets: TokenBuckets, c: Context) => {
    const wait = buckets.take(clientKey(c));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new DomainError(429, 'rate_limited', `Too many messages. Please wait ${wait} seconds.`);
    }
  };
  return new Hono()
    .post('/', validate('json', AssistantBody), async (c) => {
      limit(chat, c);
      c.header('Cache-Control', 'no-store');
      return c.json(await assistantReply({ db: deps.db, storage: deps.storage }, c.req.valid('json')));
    })
    .post('/classify', validate('json', ClassifyBody), async (c) => {
      limit(classify, c);
      const { title, description } = c.req.valid('json');
      const ranked = suggestField(`${title}\n${description}`);
      return c.json({ fields: ranked.slice(0, 3).map((r) => ({ field: r.field, score: r.score, confidence: r.confidence })) });
    });
};
