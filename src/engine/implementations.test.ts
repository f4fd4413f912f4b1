import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { headlessImplementation, initNodeBackend, recreateNodeBackend } from './backend-node';
import { FIREFOX_WITHHELD, SMOKE_RUNS, SMOKE_STEPS, smokeLosses } from './smoke-runs';

/**
 * The second WebGPU implementation: the smoke runs trained on wgpu (Firefox's implementation,
 * through Deno) give Dawn's losses (Chrome's implementation, through Node) on the same adapter.
 * Runs only under Deno (`npm run test:wgpu`); Dawn's losses come from a Node child process.
 */

/** Relative agreement the two implementations must reach, step by step. */
const TOLERANCE = 1e-3;

let dawn: Record<string, number[]> = {};

beforeAll(async () => {
  expect(headlessImplementation(), 'run this file with `npm run test:wgpu` (Deno)').toBe(
    'wgpu (Deno)',
  );
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  // Dawn's side, in Node: a missing Node or a failing run fails here, never skips.
  const child = spawnSync('node_modules/.bin/tsx', ['scripts/webgpu-ci/smoke-losses.ts'], {
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
    env: { ...process.env },
  });
  expect(child.status, `Dawn's smoke runs failed:\n${child.stderr}`).toBe(0);
  dawn = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, number[]>;
}, 600_000);

function expectSameLosses(name: string, wgpu: number[]): void {
  const reference = dawn[name];
  expect(reference, `Dawn has no losses for ${name}`).toBeDefined();
  expect(wgpu).toHaveLength(SMOKE_STEPS);
  expect(reference).toHaveLength(SMOKE_STEPS);
  const relative = wgpu.map(
    (loss, i) => Math.abs(loss - reference![i]!) / Math.abs(reference![i]!),
  );
  console.log(
    `${name}: wgpu ${wgpu.map((l) => l.toFixed(5)).join(' ')}; largest relative difference from Dawn ${Math.max(...relative).toExponential(1)}`,
  );
  for (const r of relative) expect(r).toBeLessThanOrEqual(TOLERANCE);
}

describe('wgpu (Deno) trains as Dawn (Node) does, on the same adapter', () => {
  it.each(SMOKE_RUNS.filter((r) => !r.asFirefox).map((r) => [r.name, r] as const))(
    '%s: losses within 1e-3 relative of Dawn’s',
    async (name, run) => {
      expectSameLosses(name, await smokeLosses(run));
    },
  );

  it.each(SMOKE_RUNS.filter((r) => r.asFirefox).map((r) => [r.name, r] as const))(
    '%s (as Firefox): losses within 1e-3 relative of Dawn’s',
    async (name, run) => {
      // Both sides withhold the features Firefox lacks.
      const info = await recreateNodeBackend({ withhold: FIREFOX_WITHHELD });
      expect(info.shaderF16).toBe(false);
      expect(info.timestampQuery).toBe(false);
      expectSameLosses(name, await smokeLosses(run));
    },
  );
});
