import { describe, expect, it } from 'vitest';
import { makeRun } from './fixtures';
import type { SavedRun } from './saved-run';
import { table9Findings } from './table9-findings';

/** A finished FCN run of Table 9's row `label`, seed `seed`, with this pixel accuracy and mIoU. */
function fcn(id: string, label: string, seed: number, pixAcc: number, mIoU: number): SavedRun {
  const run = makeRun(id, { task: 'segment', seed }, { top1: pixAcc });
  run.evals = run.evals.map((e, i, all) =>
    i === all.length - 1 ? { ...e, top5: null, pixelAccuracy: pixAcc, mIoU } : e,
  );
  run.sweep = { table: 'table9', row: 0, label, repeat: seed - 1 };
  return run;
}

describe('Table 9 findings', () => {
  it('compares + cosine with D-efficient and the later rows with + cosine, seed by seed, beside the paper', () => {
    const runs = [
      fcn('r1', 'D-efficient', 1, 0.8, 0.3),
      fcn('r2', 'D-efficient', 2, 0.82, 0.32),
      // Seed by seed +2 and +4 pixAcc points (mean 3, sd 1.41): ± 12.706 · 1.41 / √2 = ± 12.71.
      fcn('r3', '+ cosine', 1, 0.82, 0.31),
      fcn('r4', '+ cosine', 2, 0.86, 0.33),
      // −1 and −1.1 pixAcc against + cosine; mIoU −5 and −5.2 (sd 0.14: ± 1.27, clear of 0).
      fcn('r5', '+ smooth', 1, 0.81, 0.26),
      fcn('r6', '+ smooth', 2, 0.849, 0.278),
    ];
    expect(table9Findings(runs)).toEqual([
      '+ cosine vs D-efficient: the paper +0.37 pixAcc, +0.45 mIoU; these runs +3.00 [-9.71, +15.71] within noise pixAcc, +1.00 [+1.00, +1.00] (as the paper) mIoU.',
      '+ smooth vs + cosine: the paper -0.61 pixAcc, -0.58 mIoU; these runs -1.05 [-1.69, -0.41] (as the paper) pixAcc, -5.10 [-6.37, -3.83] (as the paper) mIoU.',
    ]);
  });

  it('says when one seed cannot be tested against noise, and skips rows without runs', () => {
    const runs = [
      fcn('r1', '+ cosine', 1, 0.8, 0.3),
      fcn('r2', '+ mixup w/o distill', 1, 0.82, 0.29),
    ];
    expect(table9Findings(runs)).toEqual([
      '+ mixup w/o distill vs + cosine: the paper -0.78 pixAcc, -1.34 mIoU; these runs +2.00 (one seed: not tested against noise) pixAcc, -1.00 (one seed: not tested against noise) mIoU.',
    ]);
    // Classification runs of other tables are not FCN rows.
    expect(table9Findings([makeRun('r9', {}, { top1: 0.5 })])).toEqual([]);
  });
});
