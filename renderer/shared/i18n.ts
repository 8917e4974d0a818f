// i18next set-up shared by every page: zh-CN by default, English selectable, choice kept per device.
import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { LocalisedName } from '../../shared/protocol.ts';
import { CATALOGUES, LANGUAGES, type Language } from './locales.ts';

const LANGUAGE_KEY = 'hall.language';

function storedLanguage(): Language {
  const fromQuery = new URLSearchParams(location.search).get('lang');
  const stored = fromQuery ?? safeStorageGet(LANGUAGE_KEY);
  return LANGUAGES.find((l) => l === stored) ?? 'zh-CN';
}

function safeStorageGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function initI18n(): typeof i18next {
  const lng = storedLanguage();
  void i18next.use(initReactI18next).init({
    resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: CATALOGUES[l] }])),
    lng,
    fallbackLng: 'zh-CN',
    initAsync: false,
    returnObjects: true,
    interpolation: { escapeValue: false },
    // keys such as 'counter:call-next' mirror the protocol's command names
    nsSeparator: false,
  });
  document.documentElement.lang = lng;
  return i18next;
}

export function setLanguage(lng: Language): void {
  void i18next.changeLanguage(lng);
  document.documentElement.lang = lng;
  try {
    localStorage.setItem(LANGUAGE_KEY, lng);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

export function currentLanguage(): Language {
  return i18next.language === 'en' ? 'en' : 'zh-CN';
}

/** The server's bilingual names, in the language on screen. */
export function useLocalised(): (name: LocalisedName | null | undefined) => string {
  const { i18n } = useTranslation();
  return (name) => (name ? (i18n.language === 'en' ? name.en : name.zh) : '');
}
