import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';

/** Console languages: Chinese by default, English switchable; the choice is remembered. */
export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const LANGUAGE_KEY = 'gx.console.language';

/** A namespace's texts; nested objects are addressed with dots (`kind.NEW`). */
export interface Messages {
  [key: string]: string | Messages;
}

function initialLanguage(): Language {
  const stored = localStorage.getItem(LANGUAGE_KEY);
  return stored === 'en' ? 'en' : 'zh';
}

void i18next.use(initReactI18next).init({
  lng: initialLanguage(),
  fallbackLng: 'zh',
  supportedLngs: [...LANGUAGES],
  defaultNS: 'common',
  ns: ['common'],
  resources: {},
  interpolation: { escapeValue: false },
  returnNull: false,
  showSupportNotice: false,
});

/** Adds a page's texts under namespace `ns`; pages then call `useTranslation(ns)`. */
export function registerMessages(ns: string, messages: { zh: Messages; en: Messages }): void {
  i18next.addResourceBundle('zh', ns, messages.zh, true, true);
  i18next.addResourceBundle('en', ns, messages.en, true, true);
}

export function currentLanguage(): Language {
  return i18next.language === 'en' ? 'en' : 'zh';
}

export async function setLanguage(language: Language): Promise<void> {
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  await i18next.changeLanguage(language);
}

document.documentElement.lang = initialLanguage() === 'zh' ? 'zh-CN' : 'en';

export { i18next, useTranslation };
