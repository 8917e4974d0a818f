// Boots a page: translations first, then React into #root.
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { initI18n } from './i18n.ts';

// The pages run under a content security policy without 'unsafe-eval' (server/http.ts, PAGE_CSP): zod
// must not even probe for eval, or every page would report a violation.
z.config({ jitless: true });

export function mount(page: ReactNode): void {
  initI18n();
  const root = document.getElementById('root');
  if (!root) throw new Error('#root is missing from the page');
  createRoot(root).render(<StrictMode>{page}</StrictMode>);
}
