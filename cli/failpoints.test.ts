import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** `npm run train` with TRICKS_FAILPOINTS set, as a developer would type it. */

const cache = mkdtempSync(join(tmpdir(), 'tricks-failpoints-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function train(failpoints: string, query: string) {
  return spawnSync('node_modules/.bin/tsx', ['cli/train.ts', query], {
    encoding: 'utf8',
    env: { ...process.env, TRICKS_FAILPOINTS: failpoints, TRICKS_PLAYGROUND_CACHE: cache },
    timeout: 240_000,
  });
}

const TINY = 'model=resnet10&width=0.0625&batch=8&train_size=16&val_size=8&epochs=1';

describe('the CLI honours TRICKS_FAILPOINTS', () => {
  it('wrong:tiled-64x64: prints the exclusion and finishes', () => {
    const run = train('wrong:tiled-64x64', `${TINY}&kernels=auto`);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /\[run\] notice: tiled-64x64 gives wrong results on this GPU \(.+\); not used there\./,
    );
    expect(run.stdout).toMatch(/\[run\] finished: top-1/);
  });

  it('gpu-error:2: fails, naming the GPU error and the step, and exits non-zero', () => {
    const run = train('gpu-error:2', `${TINY}&kernels=direct`);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /\[run\] error: GPU validation error while running training step 2: .*The checkpoint of step 0 is kept\./s,
    );
  });

  it('a malformed list is refused before anything runs', () => {
    const run = train('wrong:nope', TINY);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error: Failpoints: failpoint "wrong:nope": no kernel "nope"');
  });
});
