/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets the wasm backend use threads (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  // Under the end-to-end tests (STUDIO_E2E=1) the served files must not change mid-test: no live
  // reload, no file watching (edits elsewhere in the checkout would reload the page under test).
  server: {
    host: '127.0.0.1',
    port: 5173,
    headers: isolationHeaders,
    ...(process.env.STUDIO_E2E ? { hmr: false, watch: null } : {}),
  },
  preview: { host: '127.0.0.1', port: 4173, headers: isolationHeaders },
  worker: { format: 'es' },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
