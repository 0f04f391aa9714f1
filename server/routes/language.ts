import { createMiddleware } from 'hono/factory';
import { languageDetector } from 'hono/language';
import { DEFAULT_LANG, LANGS } from '../messages.js';

const detect = languageDetector({
  order: ['header'], supportedLanguages: [...LANGS], fallbackLanguage: DEFAULT_LANG, caches: false, ignoreCase: true,
});

/**
 * Picks the reader's language once per request, from Accept-Language (the
 * dashboard sends the language chosen in the app there); Vietnamese when it
 * names neither. Read it with langOf(c). No cookie: the choice lives in the app.
 * API answers say they vary with it, so no cache hands one reader another's language.
 */
export const negotiateLanguage = () =>
  createMiddleware(async (c, next) => {
    await detect(c, async () => {
      await next();
      if (c.req.path.startsWith('/api/')) c.header('Vary', 'Accept-Language', { append: true });
    });
  });
