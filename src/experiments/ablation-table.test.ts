import { describe, expect, it } from 'vitest';
import {
  buildAblationTable,
  csvCell,
  intervalNote,
  noiseMark,
  rowCells,
  TABLE_COLUMNS,
  toCsv,
  toMarkdown,
} from './ablation-table';
import { makeRun } from './fixtures';
import type { SavedRun } from './saved-run';

const cell = (row: string[], column: (typeof TABLE_COLUMNS)[number]) =>
  row[TABLE_COLUMNS.indexOf(column)];

describe('ablation table, one seed per row', () => {
  const runs = [
    makeRun('r1', {}, { top1: 0.5, seconds: 4 }),
    makeRun('r2', { cosine: true }, { top1: 0.55, seconds: 4.5 }),
    makeRun('r3', { cosine: true, label_smoothing: 0.1, batch: 256 }, { top1: 0.6, seconds: 3 }),
  ];
  const table = buildAblationTable(runs);

  it('labels rows by what differs from the first row', () => {
    expect(table.rows.map((r) => r.label)).toEqual([
      'baseline',
      'cosine decay',
      'batch 256 + cosine decay + label smoothing 0.1',
    ]);
  });

  it('takes the stored metrics and computes deltas to the first row', () => {
    expect(table.rows[1]!.top1).toEqual({ mean: expect.closeTo(55, 9) as number, std: null, n: 1 });
    expect(table.rows[1]!.dTop1!.value).toBeCloseTo(5);
    expect(table.rows[2]!.dTop1!.value).toBeCloseTo(10);
    expect(table.rows[0]!.dTop1).toBeNull();
    expect(table.rows[2]!.secondsPerEpoch.mean).toBeCloseTo(3);
    expect(table.rows[2]!.dSecondsPerEpoch).toBeCloseTo(-1);
    expect(table.rows[1]!.loss.mean).toBe(runs[1]!.final!.trainLoss);
    expect(table.rows[2]!.batch).toBe(256);
  });

  it('says that one seed gives no interval', () => {
    expect(table.maxPairs).toBe(1);
    expect(table.rows[1]!.dTop1!.interval).toBeNull();
    expect(noiseMark(table.rows[1]!.dTop1)).toBe('none');
    expect(cell(rowCells(table.rows[1]!), 'Δ Top-1 95% CI')).toBe('no interval: 1 seed');
    expect(intervalNote(table)).toContain('no interval can be computed');
  });

  it('renders Markdown and CSV with the same cells', () => {
    const md = toMarkdown(table).split('\n');
    expect(md[0]).toContain('| Runs | Name | Tricks vs. first row | Batch | Epochs | Seeds |');
    expect(md[1]).toContain('--:');
    expect(md[3]).toContain('| 55.00 | +5.00 | no interval: 1 seed |');
    expect(toMarkdown(table)).toContain('no interval can be computed');
    const csv = toCsv(table).split('\r\n');
    expect(csv[3]).toContain('60.00,+10.00,no interval: 1 seed');
    expect(csv).toHaveLength(5);
  });

  it('escapes Markdown pipes and neutralizes spreadsheet formulas in names', () => {
    const evil = { ...makeRun('r4'), name: '=HYPERLINK("x")|a,b' };
    const t = buildAblationTable([evil]);
    expect(toMarkdown(t)).toContain('=HYPERLINK("x")\\|a,b');
    expect(toCsv(t)).toContain(`"'=HYPERLINK(""x"")|a,b"`);
    expect(csvCell('+0.5', false)).toBe('+0.5');
  });

  it('is empty without runs', () => {
    expect(buildAblationTable([]).rows).toEqual([]);
  });
});

const seeded = (
  id: string,
  seed: number,
  top1: number,
  overrides: Partial<SavedRun['config']> = {},
): SavedRun => makeRun(id, { seed, ...overrides }, { top1 });

describe('ablation table, repeats', () => {
  it('a row is the runs that differ only in their seed: mean ± sample std', () => {
    const table = buildAblationTable([
      seeded('r1', 1, 0.5),
      seeded('r2', 2, 0.52),
      seeded('r3', 1, 0.55, { cosine: true }),
      seeded('r4', 2, 0.58, { cosine: true }),
      { ...seeded('r5', 3, 0.9, { cosine: true }), status: 'running' },
    ]);
    expect(table.rows.map((r) => r.runIds)).toEqual([
      ['r1', 'r2'],
      ['r3', 'r4', 'r5'],
    ]);
    const [base, cosine] = table.rows;
    // 50, 52: mean 51, s = √2 = 1.414214. 55, 58: mean 56.5, s = √4.5 = 2.121320.
    expect(base!.top1.mean).toBeCloseTo(51, 9);
    expect(base!.top1.std).toBeCloseTo(1.414214, 5);
    expect(cosine!.top1.std).toBeCloseTo(2.12132, 5);
    expect(cosine!.seeds).toEqual([1, 2]);
    expect(cosine!.unfinished).toBe(1);
    const cells = rowCells(cosine!);
    expect(cell(cells, 'Top-1 (%)')).toBe('56.50 ± 2.12');
    expect(cell(cells, 'Seeds')).toBe('1, 2 (+1 unfinished)');
    // d = 5, 6: d̄ = 5.5, s = 0.707107, half-width 12.706205 × 0.707107/√2 = 6.353102.
    expect(cosine!.dTop1!.value).toBeCloseTo(5.5, 9);
    expect(cosine!.dTop1!.interval!.low).toBeCloseTo(-0.853102, 4);
    expect(cosine!.dTop1!.interval!.high).toBeCloseTo(11.853102, 4);
    expect(noiseMark(cosine!.dTop1)).toBe('within');
    expect(cell(cells, 'Δ Top-1 95% CI')).toBe('[-0.85, +11.85] within noise');
  });

  it('a difference every seed agrees on is clear of the noise', () => {
    const table = buildAblationTable([
      seeded('r1', 1, 0.5),
      seeded('r2', 2, 0.6),
      seeded('r3', 3, 0.7),
      seeded('r4', 1, 0.52, { mixup: 0.2 }),
      seeded('r5', 2, 0.625, { mixup: 0.2 }),
      seeded('r6', 3, 0.715, { mixup: 0.2 }),
    ]);
    // d = 2, 2.5, 1.5: d̄ = 2, s = 0.5, half-width 4.302653 × 0.5/√3 = 1.242068.
    const d = table.rows[1]!.dTop1!;
    expect(d.pairs).toBe(3);
    expect(d.interval!.low).toBeCloseTo(0.757932, 4);
    expect(d.interval!.high).toBeCloseTo(3.242068, 4);
    expect(noiseMark(d)).toBe('clear');
    expect(cell(rowCells(table.rows[1]!), 'Δ Top-1 95% CI')).toBe('[+0.76, +3.24]');
    expect(intervalNote(table)).toContain('t(0.975, n − 1)');
  });

  it('pairs by seed: runs without a common seed give a difference of means, no interval', () => {
    const table = buildAblationTable([
      seeded('r1', 1, 0.5),
      seeded('r2', 2, 0.56, { cosine: true }),
    ]);
    expect(table.rows[1]!.dTop1).toEqual({
      value: expect.closeTo(6, 9) as number,
      pairs: 0,
      interval: null,
    });
    expect(cell(rowCells(table.rows[1]!), 'Δ Top-1 95% CI')).toBe('no interval: no seed in common');
  });

  it('a sweep’s repeats form one row though each distills from its own teacher', () => {
    const tag = (row: number, label: string) => ({ table: 'table6', row, label });
    const table = buildAblationTable([
      { ...seeded('r3', 1, 0.5), sweep: tag(2, 'Efficient') },
      { ...seeded('r4', 1, 0.55, { distill: 'r1' }), sweep: tag(5, '+ distill w/o mixup') },
      { ...seeded('r9', 2, 0.52), sweep: tag(2, 'Efficient') },
      { ...seeded('r10', 2, 0.56, { distill: 'r7' }), sweep: tag(5, '+ distill w/o mixup') },
    ]);
    expect(table.rows.map((r) => [r.label, r.runIds])).toEqual([
      ['Efficient', ['r3', 'r9']],
      ['+ distill w/o mixup', ['r4', 'r10']],
    ]);
    expect(table.rows[1]!.dTop1!.pairs).toBe(2);
  });

  it('Table 4’s columns are rows of their own, told apart by the batch', () => {
    const tag = (label: string) => ({ table: 'table4', row: 0, label });
    const table = buildAblationTable([
      { ...seeded('r1', 1, 0.5, { batch: 64 }), sweep: tag('Linear scaling') },
      {
        ...seeded('r2', 1, 0.48, { batch: 256, linear_scaling: true }),
        sweep: tag('Linear scaling'),
      },
    ]);
    expect(table.rows.map((r) => [r.label, r.batch])).toEqual([
      ['Linear scaling', 64],
      ['Linear scaling', 256],
    ]);
  });
});

describe('a segmentation table (Table 9): FCN rows beside their backbones', () => {
  /** An FCN run of row `label`, seed `seed`: last pixel accuracy and mIoU as given. */
  const fcn = (
    id: string,
    label: string,
    seed: number,
    backbone: string,
    pixAcc: number,
    mIoU: number,
  ) => {
    const run = makeRun(id, { task: 'segment', seed, backbone }, { top1: pixAcc });
    run.evals = run.evals.map((e, i, all) =>
      i === all.length - 1 ? { ...e, top5: null, pixelAccuracy: pixAcc, mIoU } : e,
    );
    run.final = { ...run.final!, top5: null };
    run.sweep = { table: 'table9', row: 0, label, repeat: seed - 1 };
    return run;
  };
  const backbones = new Map(
    [
      makeRun('r1', { seed: 1 }, { top1: 0.7 }),
      makeRun('r2', { seed: 2 }, { top1: 0.72 }),
      makeRun('r3', { seed: 1, cosine: true }, { top1: 0.75 }),
      makeRun('r4', { seed: 2, cosine: true }, { top1: 0.77 }),
    ].map((r) => [r.id, r]),
  );
  // Each seed's FCN names its own backbone run: the ids differ, the rows still pool.
  const runs = [
    fcn('r5', 'D-efficient', 1, 'r1', 0.8, 0.3),
    fcn('r6', '+ cosine', 1, 'r3', 0.82, 0.34),
    fcn('r7', 'D-efficient', 2, 'r2', 0.84, 0.32),
    fcn('r8', '+ cosine', 2, 'r4', 0.85, 0.37),
  ];
  const table = buildAblationTable(runs, (r) => backbones.get(r.config.backbone));

  it('pools the seeds of a row although their backbone ids differ', () => {
    expect(table.segmentation).toBe(true);
    expect(table.rows.map((r) => [r.label, r.runIds])).toEqual([
      ['D-efficient', ['r5', 'r7']],
      ['+ cosine', ['r6', 'r8']],
    ]);
  });

  it('pixel accuracy in the top-1 place, mIoU with its paired Δ, and the backbones’ top-1', () => {
    const [efficient, cosine] = table.rows;
    expect(efficient!.top1.mean).toBeCloseTo(82, 9);
    expect(efficient!.mIoU.mean).toBeCloseTo(31, 9);
    // Seed by seed: 37 − 32 = 5 and 34 − 30 = 4 → mean 4.5.
    expect(cosine!.dMIoU!.value).toBeCloseTo(4.5, 9);
    expect(cosine!.dMIoU!.pairs).toBe(2);
    // Backbones r3 and r4: 75 and 77.
    expect(cosine!.backboneTop1!.mean).toBeCloseTo(76, 9);
    expect(cosine!.backboneTop1!.std).toBeCloseTo(Math.SQRT2, 9);
  });

  it('renders Table 9’s columns', () => {
    const md = toMarkdown(table).split('\n');
    expect(md[0]).toContain(
      '| Seeds | Backbone top-1 (%) | pixAcc (%) | Δ pixAcc | Δ pixAcc 95% CI | mIoU (%) | Δ mIoU | Δ mIoU 95% CI | Final loss |',
    );
    // Paired differences 2, 1 (pixAcc) and 4, 5 (mIoU): sd 0.707, t(0.975, 1) = 12.706, so
    // ± 12.706 · 0.707 / √2 = ± 6.35 around +1.50 and +4.50.
    expect(rowCells(table.rows[1]!, true).slice(5, 13)).toEqual([
      '1, 2',
      '76.00 ± 1.41',
      '83.50 ± 2.12',
      '+1.50',
      '[-4.85, +7.85] within noise',
      '35.50 ± 2.12',
      '+4.50',
      '[-1.85, +10.85] within noise',
    ]);
  });
});
