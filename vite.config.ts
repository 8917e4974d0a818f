// One multi-page build of the hall's screens; the hall server serves dist/renderer at '/'.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const ROOT = resolve(import.meta.dirname, 'renderer');
export const PAGES = ['kiosk', 'counter', 'display', 'counter-display', 'manager', 'track', 'pair'] as const;

export default defineConfig({
  root: ROOT,
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(import.meta.dirname, 'dist', 'renderer'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: Object.fromEntries([
        ['index', resolve(ROOT, 'index.html')],
        ...PAGES.map((page) => [page, resolve(ROOT, page, 'index.html')]),
      ]),
    },
  },
  server: { fs: { allow: [import.meta.dirname] } },
});
