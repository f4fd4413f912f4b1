import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import { peakLearningRate } from '../tricks/lr-schedule';
import { scaledWarmup, table4, table5, table6, teacherModel } from './sweeps';

const base = { ...DEFAULT_CONFIG, batch: 64, epochs: 12, cosine: true };

describe('sweeps', () => {
  it('Table 4: ×4 batch with η ×4, then warmup, zero γ, no bias decay', () => {
    const plan = table4(base);
    expect(plan.steps.map((s) => s.label)).toEqual([
      'Baseline (batch 64)',
      '+ linear scaling (batch 256)',
      '+ LR warmup',
      '+ Zero γ',
      '+ No bias decay',
    ]);
    const [b, ls, wu, zg, nbd] = plan.steps.map((s) => s.config);
    expect(b!.cosine).toBe(false);
    expect(peakLearningRate(b!)).toBeCloseTo(0.1);
    expect(peakLearningRate(ls!)).toBeCloseTo(0.4);
    expect(wu!.warmup).toBe(1);
    expect(zg).toMatchObject({ zero_gamma: true, no_bias_decay: false, warmup: 1 });
    expect(nbd).toMatchObject({ zero_gamma: true, no_bias_decay: true });
  });

  it('Table 4 skips warmup for one-epoch runs and caps the batch at the data', () => {
    const plan = table4({ ...base, epochs: 1, train_size: 64, batch: 16 });
    expect(plan.steps.map((s) => s.label)).not.toContain('+ LR warmup');
    expect(plan.steps[1]!.config.batch).toBe(64);
    const small = table4({ ...base, train_size: 100, batch: 64 });
    expect(small.steps[1]!.config.batch).toBe(100);
    expect(small.notes.join(' ')).toContain('does not fit');
  });

  it('Table 5 uses a bottleneck model and stacks B, C, D', () => {
    const plan = table5({ ...base, model: 'resnet18' });
    expect(plan.steps.map((s) => s.config.model)).toEqual(Array(4).fill('resnet26'));
    expect(plan.steps.map((s) => [s.config.tweak_b, s.config.tweak_c, s.config.tweak_d])).toEqual([
      [false, false, false],
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });

  it('Table 6 trains a deeper teacher first and distills from it', () => {
    const plan = table6({ ...base, model: 'resnet50' });
    expect(plan.steps[0]).toMatchObject({ inTable: false });
    expect(plan.steps[0]!.config).toMatchObject({
      model: 'resnet101',
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0.2,
    });
    const rows = plan.steps.filter((s) => s.inTable);
    expect(rows.map((s) => s.label)).toEqual([
      'Efficient',
      '+ cosine decay',
      '+ label smoothing',
      '+ distill w/o mixup',
      '+ mixup w/o distill',
      '+ distill w/ mixup',
    ]);
    expect(rows[0]!.config).toMatchObject({ cosine: false, tweak_d: true });
    expect(rows[3]!.teacherStep).toBe(0);
    expect(rows[4]!.config.mixup).toBe(0.2);
    expect(rows[4]!.teacherStep).toBeUndefined();
    expect(teacherModel('resnet152')).toBe('resnet152');
    expect(teacherModel('resnet10')).toBe('resnet18');
  });

  it('scales the paper’s 5 of 120 warmup epochs', () => {
    expect(scaledWarmup(12)).toBe(1);
    expect(scaledWarmup(120)).toBe(5);
    expect(scaledWarmup(1)).toBe(0);
  });
});
