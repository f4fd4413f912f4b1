import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import type { ExperimentConfig } from '../config/params';
import { makeRun } from '../experiments/fixtures';
import type { SavedRun } from '../experiments/saved-run';
import { lessonById, type Lesson } from './catalog';
import { lessonOutcome, runsByRacer } from './outcome';
import { lessonConfigs, type LessonSize } from './plan';

const lesson = (id: string): Lesson => lessonById(id)!;
const size: LessonSize = { width: 0.25, train_size: 2000, val_size: 1000, epochs: 8 };
const user: ExperimentConfig = { ...DEFAULT_CONFIG, seed: 1 };

/** The lesson's racer `i` as a finished run of `seed` with these measurements. */
function run(
  l: Lesson,
  i: number,
  seed: number,
  m: { top1: number; seconds?: number; gap?: number; distill?: string; id?: string },
): SavedRun {
  const config = lessonConfigs(l, user, size).racers[i]!.config;
  const r = makeRun(
    m.id ?? `r${i}-${seed}`,
    { ...config, seed, distill: m.distill ?? '' },
    { top1: m.top1, seconds: m.seconds ?? 4 },
  );
  if (m.gap !== undefined) {
    const last = r.evals.at(-1)!;
    r.evals = [...r.evals.slice(0, -1), { ...last, meanGap: m.gap }];
  }
  return r;
}

describe('lessonOutcome, top-1', () => {
  const cosine = lesson('cosine');

  it('states one seed’s difference and leaves noise untested', () => {
    const o = lessonOutcome(cosine, [
      run(cosine, 0, 1, { top1: 0.6 }),
      run(cosine, 1, 1, { top1: 0.625 }),
    ]);
    expect(o.state).toBe('done');
    const c = o.claims[0]!;
    expect(c.difference).toBeCloseTo(2.5, 9);
    expect(c.noise).toBe('untested');
    expect(c.agrees).toBe(true);
    expect(o.headline).toBe(
      'Cosine decay vs Step decay: +2.50 points top-1 (60.00 → 62.50 %); the paper (Table 6): +0.47 (77.26 → 77.73). Same direction as the paper; one seed: not tested against noise.',
    );
  });

  it('says when one seed points the other way', () => {
    const o = lessonOutcome(cosine, [
      run(cosine, 0, 1, { top1: 0.6 }),
      run(cosine, 1, 1, { top1: 0.59 }),
    ]);
    expect(o.claims[0]!.agrees).toBe(false);
    expect(o.headline).toContain(
      '-1.00 points top-1 (60.00 → 59.00 %); the paper (Table 6): +0.47 (77.26 → 77.73). Opposite to the paper’s direction; one seed: not tested against noise.',
    );
  });

  it('gives no direction to a difference that reads 0', () => {
    const o = lessonOutcome(cosine, [
      run(cosine, 0, 1, { top1: 0.6 }),
      run(cosine, 1, 1, { top1: 0.6 }),
    ]);
    expect(o.claims[0]!.agrees).toBe(false);
    expect(o.headline).toContain(
      '0.00 points top-1 (60.00 → 60.00 %); the paper (Table 6): +0.47 (77.26 → 77.73). No difference at this precision, where the paper reports one; one seed: not tested against noise.',
    );
  });

  it('marks a paired interval that holds 0 as within noise', () => {
    // Differences 3, 2, 1 points: mean 2, s 1, t(0.975, 2) = 4.3027: 2 ± 2.484 = [−0.48, +4.48].
    const runs = [
      run(cosine, 0, 1, { top1: 0.6 }),
      run(cosine, 1, 1, { top1: 0.63 }),
      run(cosine, 0, 2, { top1: 0.62 }),
      run(cosine, 1, 2, { top1: 0.64 }),
      run(cosine, 0, 3, { top1: 0.61 }),
      run(cosine, 1, 3, { top1: 0.62 }),
    ];
    const c = lessonOutcome(cosine, runs).claims[0]!;
    expect(c.pairs).toBe(3);
    expect(c.noise).toBe('within');
    expect(c.interval!.low).toBeCloseTo(-0.484, 3);
    expect(c.interval!.high).toBeCloseTo(4.484, 3);
    expect(c.sentence).toContain(
      'Within noise (95 % interval [-0.48, +4.48] points over 3 seeds holds 0): the race cannot tell, though its sign matches the paper.',
    );
  });

  it('says the direction agrees beyond the noise when the interval excludes 0', () => {
    // Differences 3, 2.5, 3.5: mean 3, s 0.5: 3 ± 4.3027 · 0.5/√3 = [+1.76, +4.24].
    const runs = [
      run(cosine, 0, 1, { top1: 0.6 }),
      run(cosine, 1, 1, { top1: 0.63 }),
      run(cosine, 0, 2, { top1: 0.6 }),
      run(cosine, 1, 2, { top1: 0.625 }),
      run(cosine, 0, 3, { top1: 0.6 }),
      run(cosine, 1, 3, { top1: 0.635 }),
    ];
    const c = lessonOutcome(cosine, runs).claims[0]!;
    expect(c.noise).toBe('clear');
    expect(c.agrees).toBe(true);
    expect(c.sentence).toContain(
      'Agrees with the paper’s direction, beyond the noise (95 % interval [+1.76, +4.24] points over 3 seeds).',
    );
  });

  it('pairs distilled runs whose teachers differ seed by seed', () => {
    const d = lesson('distillation');
    const runs = [
      run(d, 0, 1, { top1: 0.6 }),
      run(d, 1, 1, { top1: 0.62, distill: 'r3' }),
      run(d, 0, 2, { top1: 0.61 }),
      run(d, 1, 2, { top1: 0.62, distill: 'r7' }),
    ];
    const o = lessonOutcome(d, runs);
    expect(o.racers.map((r) => r.runIds.length)).toEqual([2, 2]);
    // Differences 2 and 1 points: mean 1.5.
    expect(o.claims[0]!.pairs).toBe(2);
    expect(o.claims[0]!.difference).toBeCloseTo(1.5, 9);
  });
});

describe('lessonOutcome, other measures', () => {
  it('compares the mean logit gap with Eq. 5', () => {
    const ls = lesson('label-smoothing');
    const o = lessonOutcome(ls, [
      run(ls, 0, 1, { top1: 0.6, gap: 7 }),
      run(ls, 1, 1, { top1: 0.61, gap: 4.5 }),
    ]);
    // Eq. 5, K = 10, ε = 0.1: log(9 · 0.9/0.1) = log 81 = 4.394.
    expect(o.racers[1]!.theoreticalGap).toBeCloseTo(4.3944, 4);
    expect(o.racers[0]!.theoreticalGap).toBeNull();
    expect(o.claims[0]!.agrees).toBe(true);
    expect(o.headline).toBe(
      'Label smoothing ε = 0.1 vs One-hot targets: -2.50 in the mean logit gap (7.00 → 4.50; Eq. 5 gives 4.39); the paper (Fig. 4b): centred on the theoretical 9.1 (K = 1000), against a larger, wider gap without. Same direction as the paper; one seed: not tested against noise.',
    );
  });

  it('states time per epoch as a percentage, and cannot show “no change” on one seed', () => {
    const f = lesson('fp16');
    const o = lessonOutcome(f, [
      run(f, 0, 1, { top1: 0.6, seconds: 4 }),
      run(f, 1, 1, { top1: 0.6, seconds: 3 }),
    ]);
    const [time, top1] = o.claims;
    expect(time!.relative).toBeCloseTo(-0.25, 9);
    expect(time!.agrees).toBe(true);
    expect(time!.sentence).toContain('FP16 vs FP32: -25 % time per epoch (4.00 → 3.00 s)');
    expect(top1!.agrees).toBeNull();
    expect(top1!.sentence).toContain(
      'One seed: not tested against noise, so it cannot show the paper’s “no change”.',
    );
  });

  it('pairs times per epoch seed by seed, in seconds', () => {
    // FP16 − FP32: −1 and −1.1 s: mean −1.05, s = 0.0707, t(0.975, 1) = 12.706:
    // −1.05 ± 12.706 · 0.05 = [−1.69, −0.41]; −1.05 of a mean 4.10 s is −26 %.
    const f = lesson('fp16');
    const o = lessonOutcome(f, [
      run(f, 0, 1, { top1: 0.6, seconds: 4 }),
      run(f, 1, 1, { top1: 0.6, seconds: 3 }),
      run(f, 0, 2, { top1: 0.6, seconds: 4.2 }),
      run(f, 1, 2, { top1: 0.6, seconds: 3.1 }),
    ]);
    expect(o.headline).toBe(
      'FP16 vs FP32: -26 % time per epoch (4.10 → 3.05 s); the paper (§3.2, Table 3): 2–3× faster on a V100. Agrees with the paper’s direction, beyond the noise (95 % interval [-1.69, -0.41] s over 2 seeds).',
    );
  });

  it('agrees with “no change” when the interval holds 0', () => {
    // FP16 − FP32 top-1: +1, −1 points: mean 0.
    const f = lesson('fp16');
    const o = lessonOutcome(f, [
      run(f, 0, 1, { top1: 0.6 }),
      run(f, 1, 1, { top1: 0.61 }),
      run(f, 0, 2, { top1: 0.6 }),
      run(f, 1, 2, { top1: 0.59 }),
    ]);
    expect(o.claims[1]!.noise).toBe('within');
    expect(o.claims[1]!.agrees).toBe(true);
  });

  it('computes parameters and multiply-adds of ResNet-D against ResNet', () => {
    const r = lesson('resnet-d');
    const runs = [0, 1, 2, 3].map((i) => run(r, i, 1, { top1: 0.6 + i / 100 }));
    const o = lessonOutcome(r, runs);
    const params = o.claims.find((c) => c.claim.metric === 'params')!;
    const macs = o.claims.find((c) => c.claim.metric === 'macs')!;
    // ResNet-26 at width 0.25, 32 px, small stem. C: 3×3 3→8, 8→8, 8→16 (216 + 576 + 1,152
    // weights, 2·(8 + 8 + 16) BN) = 2,008 against 3×3 3→16 (432 + 32) = 464: +1,544. B and D
    // add no parameter.
    expect(params.difference).toBe(1544);
    expect(params.noise).toBe('exact');
    expect(params.agrees).toBe(true);
    // C's stem @32²: 9·1024·(3·8 + 8·8 + 8·16) − 9·1024·3·16 = 1,990,656 − 442,368 = 1,548,288.
    // B: the first 1×1 of each strided block runs at 4× the pixels: 3 · 524,288 more in each of
    // stages 2–4 (64→32 @16², 128→64 @8², 256→128 @4²) = 4,718,592. D: the pool costs no MACs.
    expect(macs.difference).toBe(6_266_880);
    expect(macs.agrees).toBe(true);
    expect(macs.sentence).toContain('(computed: no noise)');
    // Top-1: D − ResNet = 3 points.
    expect(o.claims[0]!.difference).toBeCloseTo(3, 9);
  });
});

describe('states and grouping', () => {
  const cosine = lesson('cosine');

  it('waits for a race, then for every racer', () => {
    expect(lessonOutcome(cosine, []).state).toBe('waiting');
    const running = { ...run(cosine, 1, 1, { top1: 0.6 }), status: 'running' as const };
    const o = lessonOutcome(cosine, [run(cosine, 0, 1, { top1: 0.6 }), running]);
    expect(o.state).toBe('running');
    expect(o.claims).toEqual([]);
  });

  it('says which racer did not finish', () => {
    const failed = { ...run(cosine, 1, 1, { top1: 0.6 }), status: 'failed' as const };
    const o = lessonOutcome(cosine, [run(cosine, 0, 1, { top1: 0.6 }), failed]);
    expect(o.state).toBe('incomplete');
    expect(o.headline).toBe('Cosine decay did not finish: comparisons with it have no outcome.');
    expect(o.claims[0]!.agrees).toBeNull();
  });

  it('groups runs by their race tag first', () => {
    const z = lesson('zero-gamma');
    const tagged = (i: number, row: number, id: string) => ({
      ...run(z, i, 1, { top1: 0.6, id }),
      sweep: { table: 'race', row, label: z.racers[row]!.label, repeat: 0 },
    });
    // Tags win over configurations: racer 0's settings tagged as row 2.
    const runs = [tagged(0, 2, 'a'), tagged(1, 0, 'b'), tagged(2, 1, 'c')];
    expect(runsByRacer(z, runs).map((g) => g.map((r) => r.id))).toEqual([['b'], ['c'], ['a']]);
  });

  it('matches runs to the plan’s racers whatever their order', () => {
    const z = lesson('zero-gamma');
    const plan = lessonConfigs(z, user, size);
    const runs = [
      run(z, 2, 1, { top1: 0.6, id: 'a' }),
      run(z, 0, 1, { top1: 0.6, id: 'b' }),
      run(z, 1, 1, { top1: 0.6, id: 'c' }),
    ];
    expect(runsByRacer(z, runs, plan).map((g) => g.map((r) => r.id))).toEqual([
      ['b'],
      ['c'],
      ['a'],
    ]);
    // Without the plan: the order the runs first appear in.
    expect(runsByRacer(z, runs).map((g) => g.map((r) => r.id))).toEqual([['a'], ['b'], ['c']]);
  });
});
