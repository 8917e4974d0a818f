// Boots a page: translations first, then React into #root.
import './zod-jitless.ts'; // first: before any schema is built
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { initI18n } from './i18n.ts';

export function mount(page: ReactNode): void {
  initI18n();
  const root = document.getElementById('root');
  if (!root) throw new Error('#root is missing from the page');
  createRoot(root).render(<StrictMode>{page}</StrictMode>);
}
