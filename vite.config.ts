import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicy } from './csp.ts';

/**
 * Every engine test that checks a GPU kernel against its float64 reference, the GPU fault
 * handling (the autotuner's check of kernels on the device included) and the default limits: what
 * runs on both WebGPU implementations. (The smoke runs tune with kernels=auto on wgpu too.)
 */
const KERNEL_TESTS = [
  'src/engine/kernels/**/*.test.ts',
  'src/engine/packed/**/*.test.ts',
  'src/engine/faults/**/*.test.ts',
  'src/engine/autotune/operands.test.ts',
  'src/engine/limits.test.ts',
];
/** Whole-trainer behaviour that must hold on both implementations: races, transfer, segmentation. */
const TRAINER_TESTS = [
  'src/engine/training/race.test.ts',
  'src/engine/training/transfer.test.ts',
  'src/engine/training/segmentation.test.ts',
];
/** Compares wgpu's training losses with Dawn's: meaningful only under Deno. */
const SECOND_IMPLEMENTATION_ONLY = 'src/engine/implementations.test.ts';
/** Engine tests run on a device with WebGPU's default limits, the least any implementation has. */
const DEFAULT_LIMITS = { TRICKS_WEBGPU_LIMITS: 'default' };

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
          exclude: [SECOND_IMPLEMENTATION_ONLY],
          environment: 'node',
          env: DEFAULT_LIMITS,
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // Under Deno's WebGPU (wgpu, Firefox's implementation): `npm run test:wgpu`.
        test: {
          name: 'wgpu',
          include: [...KERNEL_TESTS, ...TRAINER_TESTS, SECOND_IMPLEMENTATION_ONLY],
          environment: 'node',
          env: DEFAULT_LIMITS,
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
