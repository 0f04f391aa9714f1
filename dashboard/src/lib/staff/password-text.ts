import { ApiFieldError } from '../api.js';
import { i18n } from '../i18n.svelte.js';
import { errorText } from './format.js';

/**
 * The server names what is wrong with a password per field, in English; the
 * page says it in the user's language, keeping the server's detail (which
 * dictionary word or pattern made it guessable) where there is one.
 */
export function passwordFieldText(message: string): string {
  const short = /^At least (\d+) characters/.exec(message);
  if (short) return i18n.t('staff.account.pwShort', { n: short[1] });
  if (message.startsWith('Too easy to guess')) {
    const why = /\(([^)]+)\)/.exec(message)?.[1];
    return i18n.lang === 'en' && why ? `${i18n.t('staff.account.pwWeak')} (${why})` : i18n.t('staff.account.pwWeak');
  }
  if (message === 'The password is wrong') return i18n.t('staff.account.pwWrong');
  return message;
}

/**
 * Field → the server's message, for forms that show each error beside its
 * input (rendered through passwordFieldText, so a language switch applies);
 * anything else becomes a general message.
 */
export function fieldErrors(error: unknown): { fields: Record<string, string>; general: string | null } {
  if (error instanceof ApiFieldError && error.code === 'validation_failed') return { fields: { ...error.fields }, general: null };
  return { fields: {}, general: errorText(error) };
}
