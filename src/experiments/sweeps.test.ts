import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import type { ExperimentConfig } from '../config/params';
import { parseQuery } from '../config/url-codec';
import { peakLearningRate } from '../tricks/lr-schedule';
import {
  efficientSetting,
  mixupEpochs,
  repeatsPlan,
  repeatSeed,
  scaledWarmup,
  sweepPlan,
  sweepRows,
  table4,
  table5,
  table6,
  table7,
  table9,
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

/**
 * The §3 efficient setting for the page: Table 4's large batch 4 × 64 = 256 with lr 0.1 × 256/64
 * = 0.4 (η = 0.4 × 256/256 = 0.4, the paper's 1024 with 0.4), warmup 5 of 120 epochs → 1 of 12.
 */
const EFFICIENT = {
  batch: 256,
  lr: 0.4,
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

  it('skips the warmup row for one-epoch runs and caps the large batch at the synthetic data', () => {
    const short = table4({ ...page, epochs: 1, train_size: 64, batch: 16 });
    expect(short.steps.map((s) => s.label)).not.toContain('+ LR warmup');
    expect(short.steps.find((s) => s.column !== 'batch 16')!.config.batch).toBe(64);
    const capped = table4({ ...page, train_size: 100, batch: 64 });
    expect(capped.steps.at(-1)!.config.batch).toBe(100);
    expect(capped.notes).toContain(
      'The large batch is 100, not 4 × 64 = 256: the synthetic dataset has 100 training images (train_size).',
    );
  });

  it('caps the large batch at the loaded dataset’s images, not the synthetic train_size', () => {
    const loaded = table4({ ...page, dataset: 'cifar10', train_size: 50000 }, { trainCount: 200 });
    expect(loaded.steps.at(-1)!.config.batch).toBe(200);
    expect(loaded.title).toBe('Table 4: efficient training, batch 64 and 200');
    expect(loaded.notes).toContain(
      'The large batch is 200, not 4 × 64 = 256: the loaded dataset has 200 training images.',
    );
    // A small synthetic train_size does not cap a large loaded dataset.
    const big = table4({ ...page, dataset: 'cifar10', train_size: 100 }, { trainCount: 50000 });
    expect(big.steps.at(-1)!.config.batch).toBe(256);
    expect(big.notes.join(' ')).not.toContain('large batch');
  });

  it('caps the large batch at the largest batch and says that is why', () => {
    const plan = table4({ ...page, batch: 512, train_size: 50000 });
    expect(plan.steps.at(-1)!.config.batch).toBe(1024);
    // η = lr × 256/512 × 1024/256 = 0.2: twice the small column's, as the batches.
    expect(peakLearningRate(plan.steps.at(-1)!.config)).toBeCloseTo(0.2, 12);
    expect(plan.notes).toContain(
      'The large batch is 1024, not 4 × 512 = 2048: the playground trains batches of at most 1024.',
    );
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
        cosine: false,
        label_smoothing: 0,
        mixup: 0,
      });
    }
    expect(plan.notes.join(' ')).toContain('basic blocks');
    expect(plan.notes).toContain(
      "Every row builds on §3's efficient setting, Table 4's last row at its large batch: batch 256, η = 0.4, linear scaling, warmup, zero γ, no bias decay, FP16 (the paper: batch 1024, η = 0.4).",
    );
  });
});

describe('one efficient setting for Tables 4, 5 and 6', () => {
  const MODEL_FIELDS = ['model', 'tweak_b', 'tweak_c', 'tweak_d'] as const;
  const lessModel = (config: ExperimentConfig) => {
    const rest: Partial<ExperimentConfig> = { ...config };
    for (const key of MODEL_FIELDS) delete rest[key];
    return rest;
  };
  const lastOfTable4 = (config: ExperimentConfig) => {
    const plan = table4(config);
    return plan.steps.filter((s) => s.column === plan.steps.at(-1)!.column).at(-1)!;
  };
  const firstRow = (plan: { steps: { inTable: boolean; config: ExperimentConfig }[] }) =>
    plan.steps.find((s) => s.inTable)!.config;

  it('on a bottleneck model: Table 4’s last row is Table 5’s first; Table 6’s first is Table 5’s -D', () => {
    const config = { ...page, model: 'resnet50' as const };
    const last = lastOfTable4(config);
    expect(last.label).toBe('+ FP16');
    expect(last.config).toMatchObject({ ...EFFICIENT, model: 'resnet50', seed: 1, epochs: 12 });
    expect(firstRow(table5(config))).toEqual(last.config);
    expect(firstRow(table6(config))).toEqual(table5(config).steps.at(-1)!.config);
    expect(efficientSetting(config).config).toMatchObject(EFFICIENT);
  });

  it('on a basic-block page model: Tables 5 and 6 train resnet26, and every field but model and tweaks is Table 4’s last row', () => {
    const last = lastOfTable4(page).config;
    expect(last.model).toBe('resnet18');
    for (const plan of [table5(page), table6(page)]) {
      expect(firstRow(plan).model).toBe('resnet26');
      expect(lessModel(firstRow(plan))).toEqual(lessModel(last));
    }
  });

  it('the same at a capped batch on a loaded dataset, and without FP16', () => {
    for (const options of [{ trainCount: 100 }, { fp16: false }]) {
      const last = table4(page, options).steps.at(-1)!.config;
      expect(lessModel(firstRow(table5(page, options)))).toEqual(lessModel(last));
      expect(lessModel(firstRow(table6(page, options)))).toEqual(lessModel(last));
    }
    expect(table5(page, { trainCount: 100 }).notes).toContain(
      'The large batch is 100, not 4 × 64 = 256: the loaded dataset has 100 training images.',
    );
    expect(firstRow(table6(page, { fp16: false })).fp16).toBe(false);
  });
});

describe('Table 6: refinements on ResNet-D efficient, bottleneck as Table 5', () => {
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
      model: 'resnet152',
      tweak_d: true,
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0,
      epochs: 12,
    });
    expect(mixed.config).toMatchObject({
      model: 'resnet152',
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

  it('picks the deepest model of the same block kind as the teacher', () => {
    expect(teacherModel('resnet26')).toBe('resnet152');
    expect(teacherModel('resnet50')).toBe('resnet152');
    expect(teacherModel('resnet152')).toBe('resnet152');
    expect(teacherModel('resnet10')).toBe('resnet34');
    expect(plan.notes.join(' ')).toContain('The teachers are resnet152-D');
    expect(plan.notes.join(' ')).not.toContain('no larger');
  });

  it('trains a basic-block page model’s bottleneck neighbour, and says so', () => {
    const basic = table6({ ...page, model: 'resnet34' });
    expect(basic.steps.map((s) => s.config.model)).toEqual([
      'resnet152',
      'resnet152',
      ...Array<string>(6).fill('resnet50'),
    ]);
    expect(basic.notes.join(' ')).toContain('resnet34 has basic blocks');
  });

  it('says when the student is already the deepest model', () => {
    const deepest = table6({ ...page, model: 'resnet152' });
    expect(deepest.steps.every((s) => s.config.model === 'resnet152')).toBe(true);
    expect(deepest.notes.join(' ')).toContain('no larger than the student');
  });
});

describe('Table 7: the refinements on another dataset', () => {
  it('races ResNet-50-D Efficient against Best (+ cosine, ε = 0.1, α = 0.2, 200/120 epochs), both rows', () => {
    const plan = table7({ ...page, model: 'resnet50', dataset: 'cifar100' });
    expect(plan.steps.map((s) => [s.label, s.inTable])).toEqual([
      ['resnet50-D Efficient', true],
      ['resnet50-D Best (+ cosine + label smoothing + mixup)', true],
    ]);
    const [efficient, best] = plan.steps.map((s) => s.config);
    expect(efficient).toMatchObject({
      ...EFFICIENT,
      model: 'resnet50',
      tweak_b: true,
      tweak_c: true,
      tweak_d: true,
      cosine: false,
      label_smoothing: 0,
      mixup: 0,
      dataset: 'cifar100',
      epochs: 12,
    });
    // 12 × 200/120 = 20 epochs; the rest as the Efficient row.
    expect(best).toEqual({
      ...efficient,
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0.2,
      epochs: 20,
    });
    expect(plan.notes.join(' ')).toContain('this sweep trains on the loaded cifar100 dataset');
  });

  it('is Table 6’s Efficient row, on the synthetic shapes with a note to load a second dataset', () => {
    const plan = table7({ ...page, model: 'resnet50' });
    const sixth = table6({ ...page, model: 'resnet50' }).steps.find(
      (s) => s.label === 'Efficient',
    )!;
    expect(plan.steps[0]!.config).toEqual(sixth.config);
    expect(plan.notes.join(' ')).toContain('Load another dataset');
  });
});

/** Table 9's rows, by the paper's names: each a backbone, then an FCN on it. */
const TABLE9_ROWS = [
  'B-standard',
  'D-efficient',
  '+ cosine',
  '+ smooth',
  '+ distill w/o mixup',
  '+ mixup w/o distill',
  '+ mixup w/ distill',
];

describe('Table 9: Table 6’s backbones as FCN backbones', () => {
  const current = { ...page, model: 'resnet50' as const, task: 'segment' as const, backbone: 'r3' };
  const plan = table9(current);

  it('trains the teachers, then the seven backbones (none in the table), then an FCN on each', () => {
    expect(plan.steps.map((s) => [s.label, s.column, s.inTable])).toEqual([
      ['Teacher resnet152-D: cosine + label smoothing', null, false],
      ['Teacher resnet152-D: cosine + label smoothing + mixup', null, false],
      ...TABLE9_ROWS.map((label) => [label, null, false]),
      ...TABLE9_ROWS.map((label) => [label, 'FCN', true]),
    ]);
    // FCN k (steps 9–15) fine-tunes backbone k (steps 2–8); the distilled backbones keep their
    // teachers (steps 0 and 1).
    expect(plan.steps.map((s) => s.backboneStep)).toEqual([
      ...Array<undefined>(9).fill(undefined),
      2,
      3,
      4,
      5,
      6,
      7,
      8,
    ]);
    expect(plan.steps.map((s) => s.teacherStep ?? null).slice(2, 9)).toEqual([
      null,
      null,
      null,
      null,
      0,
      null,
      1,
    ]);
  });

  it('the backbones are Table 6’s rows plus B-standard, classifying from scratch', () => {
    const six = table6({ ...current, task: 'classify', backbone: '' });
    const backbones = plan.steps.slice(2, 9).map((s) => s.config);
    expect(backbones.slice(1)).toEqual(six.steps.filter((s) => s.inTable).map((s) => s.config));
    // B-standard: ResNet-B, Table 4's baseline (no heuristic) at the page's batch and lr.
    expect(backbones[0]).toMatchObject({
      model: 'resnet50',
      tweak_b: true,
      tweak_c: false,
      tweak_d: false,
      batch: 64,
      lr: 0.1,
      fp16: false,
      warmup: 0,
      cosine: false,
      task: 'classify',
      backbone: '',
    });
    expect(backbones.every((c) => c.task === 'classify' && c.backbone === '')).toBe(true);
  });

  it('every FCN trains alike on the scenes: the efficient setting without refinements, its backbone’s architecture', () => {
    const fcns = plan.steps.filter((s) => s.inTable).map((s) => s.config);
    const [standard, efficient, ...refined] = fcns;
    expect(efficient).toMatchObject({
      ...EFFICIENT,
      model: 'resnet50',
      tweak_b: true,
      tweak_c: true,
      tweak_d: true,
      task: 'segment',
      dataset: 'synthetic',
      transfer: 'finetune',
      cosine: false,
      label_smoothing: 0,
      mixup: 0,
      distill: '',
      backbone: '',
    });
    // The refinements change the backbones only.
    for (const c of refined) expect(c).toEqual(efficient);
    // B-standard's FCN differs in the architecture only (ResNet-B).
    expect(standard).toEqual({ ...efficient, tweak_c: false, tweak_d: false });
    expect(plan.notes.join(' ')).toContain('cosine decay improves pixel accuracy and mIoU');
  });

  it('with repeats, each seed’s FCNs start from that seed’s backbones', () => {
    const { rows } = sweepRows('table9', { ...current, repeats: 2 });
    expect(rows).toHaveLength(32);
    for (const [i, row] of rows.entries()) {
      if (row.backboneRow === undefined) continue;
      const backbone = rows[row.backboneRow]!;
      expect(backbone.label, `row ${i}`).toBe(row.label);
      expect(backbone.repeat).toBe(row.repeat);
      expect(backbone.seed).toBe(row.seed);
      expect(row.backboneRow).toBeLessThan(i);
      expect(parseQuery(row.query).ignored).toEqual([]);
    }
    expect(rows.filter((r) => r.backboneRow !== undefined)).toHaveLength(14);
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

  it('each repeat distills from its own repeat’s teacher by default', () => {
    plan.steps.forEach((step) => {
      if (step.teacherStep === undefined) return;
      const teacher = plan.steps[step.teacherStep]!;
      expect(teacher.repeat).toBe(step.repeat);
      expect(teacher.inTable).toBe(false);
      expect(teacher.config.mixup).toBe(step.config.mixup);
    });
    expect(plan.notes).toContain('Each seed trains its own 2 teachers (6 teacher runs in all).');
  });

  it('shared teachers: repeats 1 and 2 train no teachers and distill from repeat 0’s', () => {
    const shared = sweepPlan('table6', config, { sharedTeachers: true });
    // 2 teachers + 6 rows, then 6 rows twice.
    expect(shared.steps).toHaveLength(8 + 6 + 6);
    expect(shared.steps.filter((s) => !s.inTable).map((s) => s.repeat)).toEqual([0, 0]);
    const distilled = shared.steps.filter((s) => s.teacherStep !== undefined);
    expect(distilled.map((s) => [s.repeat, s.teacherStep])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 1],
    ]);
    for (const s of distilled) {
      expect(shared.steps[s.teacherStep!]!.config.mixup).toBe(s.config.mixup);
    }
    expect(shared.steps.filter((s) => s.inTable).map((s) => s.config.seed)).toEqual([
      ...Array<number>(6).fill(5),
      ...Array<number>(6).fill(6),
      ...Array<number>(6).fill(7),
    ]);
    expect(shared.notes).toContain(
      "Shared teachers: every seed's distilled rows learn from the teachers trained with seed 5, as the paper used one pretrained teacher; the other 2 seeds train no teachers.",
    );
    // Tables without teachers, and one repeat, are the same with the option.
    expect(sweepPlan('table5', config, { sharedTeachers: true })).toEqual(
      sweepPlan('table5', config),
    );
    const once = { ...config, repeats: 1 };
    expect(sweepPlan('table6', once, { sharedTeachers: true })).toEqual(sweepPlan('table6', once));
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
    expect(distilled.map((r) => [r.label, r.teacher, r.seed, r.teacherRepeat])).toEqual([
      ['+ distill w/o mixup', 'Teacher resnet152-D: cosine + label smoothing', 1, 0],
      ['+ distill w/ mixup', 'Teacher resnet152-D: cosine + label smoothing + mixup', 1, 0],
      ['+ distill w/o mixup', 'Teacher resnet152-D: cosine + label smoothing', 2, 1],
      ['+ distill w/ mixup', 'Teacher resnet152-D: cosine + label smoothing + mixup', 2, 1],
    ]);
    // Every teacher label names a row of the same repeat.
    for (const r of distilled) {
      expect(rows.some((t) => t.label === r.teacher && t.repeat === r.repeat && !t.inTable)).toBe(
        true,
      );
    }
  });

  it('with shared teachers, every distilled row names repeat 0’s teacher', () => {
    const config = { ...page, model: 'resnet50' as const, repeats: 2 };
    const { rows, notes } = sweepRows('table6', config, { sharedTeachers: true });
    expect(rows).toHaveLength(14);
    const distilled = rows.filter((r) => r.teacher !== null);
    expect(distilled.map((r) => [r.seed, r.teacherRepeat])).toEqual([
      [1, 0],
      [1, 0],
      [2, 0],
      [2, 0],
    ]);
    expect(notes.join(' ')).toContain('Shared teachers');
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
      // resnet18 → resnet26 (bottleneck, as Table 5); batch 4 × 128 = 512 with lr 0.1 × 256/128.
      'model=resnet26&batch=512&epochs=20&lr=0.2&linear_scaling=1&warmup=1&zero_gamma=1&no_bias_decay=1&fp16=1&tweak_b=1&tweak_c=1&tweak_d=1&cosine=1&label_smoothing=0.1&mixup=0.2',
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
