import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { langOf } from '../errors.js';
import { assistantReply, suggestField } from '../services/assistant/index.js';
import { AssistantBody, ClassifyBody } from './assistant.schema.js';
import { rateLimit } from './rate-limit.js';
import { validate } from './validate.js';

export const assistantRoutes = (deps: AppDeps) => {
  return new Hono()
    .post('/', rateLimit(deps, 'assistant'), validate('json', AssistantBody), async (c) => {
      c.header('Cache-Control', 'no-store');
      const body = c.req.valid('json');
      // The app's language is the fallback; the server's negotiation (Accept-Language) the one after it.
      return c.json(await assistantReply({ db: deps.db, storage: deps.storage }, { ...body, lang: body.lang ?? langOf(c) }));
    })
    .post('/classify', rateLimit(deps, 'classify'), validate('json', ClassifyBody), async (c) => {
      const { title, description } = c.req.valid('json');
      const ranked = suggestField(`${title}\n${description}`);
      return c.json({ fields: ranked.slice(0, 3).map((r) => ({ field: r.field, score: r.score, confidence: r.confidence })) });
    });
};
