import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicy } from './csp.ts';

// base './' makes the static build work when served from any sub-path.
export default defineConfig({
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude: ['src/engine/**'],
          environment: 'node',
          // Statistical tests draw tens of thousands of samples; leave room on a busy 2-core machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'engine',
          include: ['src/engine/**/*.test.ts', 'cli/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
