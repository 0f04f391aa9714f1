import { en } from './i18n/en.js';
import { vi, type MessageKey } from './i18n/vi.js';

export type { MessageKey };
export type Lang = 'vi' | 'en';

const MESSAGES: Record<Lang, Record<MessageKey, string>> = { vi, en };
const STORAGE_KEY = 'civic-ops.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'vi' || saved === 'en') return saved;
  } catch {
    // Storage can be blocked (private mode, sandboxed frames); fall back to the default.
  }
  return 'vi';
}

/** The interface language; Vietnamese unless the user chose otherwise on this device. */
class I18n {
  lang = $state<Lang>(initialLang());

  /** BCP 47 tag for Intl formatting and the document's lang attribute. */
  locale = $derived(this.lang === 'vi' ? 'vi-VN' : 'en-GB');

  setLang(lang: Lang) {
    this.lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Not persisting is fine; the choice still applies to this page.
    }
  }

  t = (key: MessageKey, params?: Record<string, string | number>): string => {
    const template = MESSAGES[this.lang][key];
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };

  number = (value: number, fractionDigits = 0): string =>
    new Intl.NumberFormat(this.locale, { maximumFractionDigits: fractionDigits }).format(value);

  /** Picks the name of an area in the current language. */
  name = (area: { name_vi: string; name_en: string }): string => (this.lang === 'vi' ? area.name_vi : area.name_en);

  fullName = (area: { full_name_vi: string; full_name_en: string }): string =>
    this.lang === 'vi' ? area.full_name_vi : area.full_name_en;
}

export const i18n = new I18n();
