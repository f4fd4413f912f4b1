/**
 * Trains the smoke runs (src/engine/smoke-runs.ts) on Dawn in Node and prints their losses as
 * JSON, { "<run name>": [loss, …] }: the reference src/engine/implementations.test.ts compares
 * wgpu's losses with. The runs without shader-f16 get a device that lacks it (and timestamps).
 */
import { initNodeBackend, recreateNodeBackend } from '../../src/engine/backend-node';
import { FIREFOX_WITHHELD, SMOKE_RUNS, smokeLosses } from '../../src/engine/smoke-runs';

const info = await initNodeBackend();
process.stderr.write(`smoke losses on ${info.adapter} (Dawn, Node)\n`);
const losses: Record<string, number[]> = {};
for (const asFirefox of [false, true]) {
  if (asFirefox) await recreateNodeBackend({ withhold: FIREFOX_WITHHELD });
  for (const run of SMOKE_RUNS.filter((r) => r.asFirefox === asFirefox)) {
    losses[run.name] = await smokeLosses(run);
    process.stderr.write(
      `  ${run.name}: ${losses[run.name]!.map((l) => l.toFixed(5)).join(' ')}\n`,
    );
  }
}
process.stdout.write(`${JSON.stringify(losses)}\n`);
