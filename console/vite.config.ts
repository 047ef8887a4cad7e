import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console is served by the hub under /console; `npm run build:console` writes dist/console. */
export const CONSOLE_OUT_DIR = fileURLToPath(new URL('../dist/console/', import.meta.url));

const hubUrl = process.env.HUB_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: CONSOLE_OUT_DIR,
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  // `npx vite --config console/vite.config.ts`: hot reloading against a running hub (HUB_URL).
  server: { proxy: { '/graphql': hubUrl, '/api': hubUrl } },
});
