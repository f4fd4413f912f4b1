import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import { parseQuery } from '../config/url-codec';
import { peakLearningRate } from '../tricks/lr-schedule';
import {
  mixupEpochs,
  repeatsPlan,
  repeatSeed,
  scaledWarmup,
  sweepPlan,
  sweepRows,
  table4,
  table5,
  table6,
  teacherModel,
} from './sweeps';

/** A page that holds leftovers of earlier experiments: the sweeps must not inherit them. */
const page = {
  ...DEFAULT_CONFIG,
  batch: 64,
  epochs: 12,
  cosine: true,
  mixup: 0.4,
  label_smoothing: 0.2,
  fp16: false,
  zero_gamma: false,
  tweak_c: true,
  distill: 'r7',
  autorun: true,
};

/** The §3 efficient setting at a 12-epoch scale (warmup 5 of 120 epochs → 1). */
const EFFICIENT = {
  linear_scaling: true,
  warmup: 1,
  zero_gamma: true,
  no_bias_decay: true,
  fp16: true,
};

describe('Table 4: both columns, every heuristic', () => {
  const plan = table4(page);
  const small = plan.steps.filter((s) => s.column === 'batch 64');
  const large = plan.steps.filter((s) => s.column === 'batch 256');

  it('has the paper’s five rows at batch b and at 4b, in that order', () => {
    const rows = ['Linear scaling', '+ LR warmup', '+ Zero γ', '+ No bias decay', '+ FP16'];
    expect(small.map((s) => s.label)).toEqual(rows);
    expect(large.map((s) => s.label)).toEqual(rows);
    expect(plan.steps.map((s) => s.column)).toEqual([
      ...Array<string>(5).fill('batch 64'),
      ...Array<string>(5).fill('batch 256'),
    ]);
    expect(plan.steps.every((s) => s.inTable && s.teacherStep === undefined)).toBe(true);
  });

  it('batch b trains at η = lr without linear scaling; 4b with it, at 4 × η', () => {
    for (const s of small) {
      expect(s.config).toMatchObject({ batch: 64, linear_scaling: false });
      expect(peakLearningRate(s.config)).toBeCloseTo(0.1, 12);
    }
    for (const s of large) {
      expect(s.config).toMatchObject({ batch: 256, linear_scaling: true });
      expect(peakLearningRate(s.config)).toBeCloseTo(0.4, 12);
    }
  });

  it('stacks warmup, zero γ, no bias decay and FP16 on the baseline, nothing else', () => {
    const tricks = (i: number) => {
      const c = small[i]!.config;
      return [c.warmup, c.zero_gamma, c.no_bias_decay, c.fp16];
    };
    expect([0, 1, 2, 3, 4].map(tricks)).toEqual([
      [0, false, false, false],
      [1, false, false, false],
      [1, true, false, false],
      [1, true, true, false],
      [1, true, true, true],
    ]);
    for (const s of plan.steps) {
      expect(s.config).toMatchObject({
        cosine: false,
        label_smoothing: 0,
        mixup: 0,
        distill: '',
        tweak_c: false,
        autorun: false,
      });
    }
  });

  it('skips the warmup row for one-epoch runs and caps the large batch at the data', () => {
    const short = table4({ ...page, epochs: 1, train_size: 64, batch: 16 });
    expect(short.steps.map((s) => s.label)).not.toContain('+ LR warmup');
    expect(short.steps.find((s) => s.column !== 'batch 16')!.config.batch).toBe(64);
    const capped = table4({ ...page, train_size: 100, batch: 64 });
    expect(capped.steps.at(-1)!.config.batch).toBe(100);
    expect(capped.notes.join(' ')).toContain('does not fit');
  });

  it('leaves out + FP16 where the backend has no FP16, and says so', () => {
    const plan32 = table4(page, { fp16: false });
    expect(plan32.steps.map((s) => s.label)).not.toContain('+ FP16');
    expect(plan32.steps.every((s) => !s.config.fp16)).toBe(true);
    expect(plan32.notes.join(' ')).toContain('FP16');
  });
});

describe('Table 5: the tweaks, each on the efficient setting', () => {
  it('uses a bottleneck model, stacks B, C, D, all with linear scaling, warmup, zero γ, no bias decay, FP16', () => {
    const plan = table5({ ...page, model: 'resnet18' });
    expect(plan.steps.map((s) => s.label)).toEqual([
      'resnet26',
      'resnet26-B',
      'resnet26-C',
      'resnet26-D',
    ]);
    expect(plan.steps.map((s) => [s.config.tweak_b, s.config.tweak_c, s.config.tweak_d])).toEqual([
      [false, false, false],
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
    for (const s of plan.steps) {
      expect(s.config).toMatchObject({
        ...EFFICIENT,
        model: 'resnet26',
        batch: 64,
        cosine: false,
        label_smoothing: 0,
        mixup: 0,
      });
    }
    expect(plan.notes.join(' ')).toContain('basic blocks');
  });
});

describe('Table 6: refinements on ResNet-D efficient', () => {
  const plan = table6({ ...page, model: 'resnet50' });
  const byLabel = (label: string) => plan.steps.find((s) => s.label === label)!;
  const rows = plan.steps.filter((s) => s.inTable);

  it('has the paper’s rows, after two teachers that are not rows', () => {
    expect(rows.map((s) => s.label)).toEqual([
      'Efficient',
      '+ cosine decay',
      '+ label smoothing',
      '+ distill w/o mixup',
      '+ mixup w/o distill',
      '+ distill w/ mixup',
    ]);
    expect(plan.steps.slice(0, 2).every((s) => !s.inTable)).toBe(true);
  });

  it('starts from ResNet-50-D with the efficient setting, not from the page’s tricks', () => {
    expect(byLabel('Efficient').config).toMatchObject({
      ...EFFICIENT,
      model: 'resnet50',
      batch: 64,
      tweak_b: true,
      tweak_c: true,
      tweak_d: true,
      cosine: false,
      label_smoothing: 0,
      mixup: 0,
      distill: '',
      epochs: 12,
    });
    expect(byLabel('+ cosine decay').config).toMatchObject({ cosine: true, label_smoothing: 0 });
    expect(byLabel('+ label smoothing').config).toMatchObject({
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0,
    });
  });

  it('distills without mixup from a teacher trained without mixup, with mixup from one with', () => {
    const plain = plan.steps[byLabel('+ distill w/o mixup').teacherStep!]!;
    const mixed = plan.steps[byLabel('+ distill w/ mixup').teacherStep!]!;
    expect(plain.config).toMatchObject({
      ...EFFICIENT,
      model: 'resnet101',
      tweak_d: true,
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0,
      epochs: 12,
    });
    expect(mixed.config).toMatchObject({
      model: 'resnet101',
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0.2,
      epochs: 20,
    });
    expect(byLabel('+ distill w/o mixup').config).toMatchObject({ mixup: 0, temperature: 20 });
    expect(byLabel('+ distill w/ mixup').config).toMatchObject({ mixup: 0.2, temperature: 20 });
    expect(byLabel('+ mixup w/o distill').teacherStep).toBeUndefined();
  });

  it('trains the mixup rows 200/120 as long by default, with the same warmup', () => {
    expect(byLabel('+ mixup w/o distill').config).toMatchObject({ epochs: 20, warmup: 1 });
    expect(byLabel('+ distill w/ mixup').config.epochs).toBe(20);
    expect(byLabel('+ distill w/o mixup').config.epochs).toBe(12);
    expect(plan.notes.join(' ')).toContain('20 epochs instead of 12');
    const same = table6({ ...page, model: 'resnet50' }, { longMixup: false });
    expect(same.steps.every((s) => s.config.epochs === 12)).toBe(true);
  });

  it('picks a deeper teacher of the same block kind', () => {
    expect(teacherModel('resnet152')).toBe('resnet152');
    expect(teacherModel('resnet10')).toBe('resnet18');
    expect(teacherModel('resnet50')).toBe('resnet101');
  });
});

describe('repeats', () => {
  const config = { ...page, model: 'resnet50' as const, seed: 5, repeats: 3 };
  const plan = sweepPlan('table6', config);

  it('repeat k of every row has seed + k, repeat by repeat', () => {
    expect(plan.steps).toHaveLength(3 * 8);
    expect(plan.steps.map((s) => s.config.seed)).toEqual([
      ...Array<number>(8).fill(5),
      ...Array<number>(8).fill(6),
      ...Array<number>(8).fill(7),
    ]);
    expect(plan.steps.map((s) => s.repeat)).toEqual(plan.steps.map((s) => s.config.seed - 5));
    expect(plan.steps.every((s) => s.config.repeats === 1)).toBe(true);
  });

  it('each repeat distills from its own repeat’s teacher', () => {
    plan.steps.forEach((step) => {
      if (step.teacherStep === undefined) return;
      const teacher = plan.steps[step.teacherStep]!;
      expect(teacher.repeat).toBe(step.repeat);
      expect(teacher.inTable).toBe(false);
      expect(teacher.config.mixup).toBe(step.config.mixup);
    });
  });

  it('Train with repeats: the same settings, seed by seed, teacher kept', () => {
    const repeated = repeatsPlan({ ...DEFAULT_CONFIG, repeats: 2, seed: 9, distill: 'r3' });
    expect(repeated.table).toBeNull();
    expect(repeated.steps.map((s) => [s.config.seed, s.config.distill, s.config.repeats])).toEqual([
      [9, 'r3', 1],
      [10, 'r3', 1],
    ]);
  });

  it('seeds wrap past the largest seed', () => {
    expect(repeatSeed(1, 2)).toBe(3);
    expect(repeatSeed(2147483647, 1)).toBe(0);
  });
});

describe('sweepRows: the rows as queries, for the page and the CLI', () => {
  it('lists every run of Table 6 with its seed, query and teacher label', () => {
    const { rows } = sweepRows('table6', { ...page, model: 'resnet50', repeats: 2 });
    expect(rows).toHaveLength(16);
    const distilled = rows.filter((r) => r.teacher !== null);
    expect(distilled.map((r) => [r.label, r.teacher, r.seed])).toEqual([
      ['+ distill w/o mixup', 'Teacher resnet101-D: cosine + label smoothing', 1],
      ['+ distill w/ mixup', 'Teacher resnet101-D: cosine + label smoothing + mixup', 1],
      ['+ distill w/o mixup', 'Teacher resnet101-D: cosine + label smoothing', 2],
      ['+ distill w/ mixup', 'Teacher resnet101-D: cosine + label smoothing + mixup', 2],
    ]);
    // Every teacher label names a row of the same repeat.
    for (const r of distilled) {
      expect(rows.some((t) => t.label === r.teacher && t.repeat === r.repeat && !t.inTable)).toBe(
        true,
      );
    }
  });

  it('each query parses back, without notices, to the row’s settings', () => {
    for (const table of ['table4', 'table5', 'table6'] as const) {
      const config = { ...page, repeats: 2 };
      const plan = sweepPlan(table, config);
      const { rows } = sweepRows(table, config);
      expect(rows).toHaveLength(plan.steps.length);
      rows.forEach((row, i) => {
        const parsed = parseQuery(row.query);
        expect(parsed.ignored).toEqual([]);
        expect(parsed.config).toEqual(plan.steps[i]!.config);
        expect(parsed.config.seed).toBe(row.seed);
        expect(row.query).not.toContain('distill=');
        expect(row.query).not.toContain('autorun');
      });
    }
  });

  it('the + distill w/ mixup query at the default scale', () => {
    const { rows } = sweepRows('table6', { ...DEFAULT_CONFIG });
    const row = rows.find((r) => r.label === '+ distill w/ mixup')!;
    expect(row.query).toBe(
      'epochs=20&linear_scaling=1&warmup=1&zero_gamma=1&no_bias_decay=1&fp16=1&tweak_b=1&tweak_c=1&tweak_d=1&cosine=1&label_smoothing=0.1&mixup=0.2',
    );
  });
});

describe('scaling the paper’s epochs', () => {
  it('warmup: 5 of 120 epochs, at least 1, shorter than training', () => {
    expect(scaledWarmup(12)).toBe(1);
    expect(scaledWarmup(120)).toBe(5);
    expect(scaledWarmup(1)).toBe(0);
  });

  it('mixup: 200 of 120 epochs, always longer', () => {
    expect(mixupEpochs(120)).toBe(200);
    expect(mixupEpochs(12)).toBe(20);
    expect(mixupEpochs(1)).toBe(2);
    expect(mixupEpochs(400)).toBe(500);
  });
});
