import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import {
  divergenceCause,
  formatDivergedLoss,
  isDivergedLoss,
  type DivergenceInput,
} from './divergence';

const input = (config: Partial<DivergenceInput['config']>, step = 3): DivergenceInput => ({
  config: { ...DEFAULT_CONFIG, ...config },
  step,
  stepsPerEpoch: 10,
  lr: 1,
  loss: NaN,
});

describe('divergenceCause', () => {
  it('a high learning rate without warmup: try warmup or a lower lr', () => {
    expect(divergenceCause(input({ lr: 3.2, warmup: 0 }))).toBe(
      'learning rate 3.2 without warmup is likely too high; try warmup or a lower lr',
    );
  });

  it('names the linear scaling product', () => {
    expect(divergenceCause(input({ lr: 10, batch: 1024, linear_scaling: true, warmup: 0 }))).toBe(
      'learning rate 40 (lr 10 × batch 1024/256, linear scaling) without warmup is likely too high; try warmup or a lower lr',
    );
  });

  it('during warmup: the peak is too high even for warmup', () => {
    const cause = divergenceCause({ ...input({ lr: 5, warmup: 2 }, 7), lr: 1.75 });
    expect(cause).toContain('during warmup, at lr 1.75');
    expect(cause).toContain('try a lower lr or a longer warmup');
  });

  it('after warmup: a lower lr', () => {
    expect(divergenceCause(input({ lr: 2, warmup: 1 }, 40))).toBe(
      'learning rate 2 is likely too high even with 1 epoch of warmup; try a lower lr',
    );
  });

  it('a moderate lr: a low distillation temperature is named', () => {
    expect(divergenceCause(input({ lr: 0.1, distill: 'r1', temperature: 0.1 }))).toContain(
      'distillation temperature 0.1',
    );
  });

  it('a moderate lr early without warmup still suggests warmup', () => {
    expect(divergenceCause(input({ lr: 0.1 }, 2))).toBe(
      'the loss blew up in the first epoch at learning rate 0.1; try warmup or a lower lr',
    );
  });

  it('otherwise a general remark with the loss and the lr of that step', () => {
    expect(
      divergenceCause({ ...input({ lr: 0.1, warmup: 1 }, 50), lr: 0.05, loss: Infinity }),
    ).toBe(
      'the loss became Infinity at learning rate 0.1 (lr 0.05 at that step); a lower lr or warmup usually helps',
    );
  });
});

describe('isDivergedLoss', () => {
  it('NaN, ±Inf and losses 10,000 × ln K and above', () => {
    expect(isDivergedLoss(NaN, 10)).toBe(true);
    expect(isDivergedLoss(Infinity, 10)).toBe(true);
    expect(isDivergedLoss(-Infinity, 10)).toBe(true);
    expect(isDivergedLoss(2.3, 10)).toBe(false);
    expect(isDivergedLoss(300, 10)).toBe(false);
    expect(isDivergedLoss(23_000, 10)).toBe(false);
    expect(isDivergedLoss(23_100, 10)).toBe(true);
    expect(isDivergedLoss(7_000, 2)).toBe(true);
  });

  it('formats the loss for the message', () => {
    expect(formatDivergedLoss(NaN)).toBe('NaN');
    expect(formatDivergedLoss(-Infinity)).toBe('-Infinity');
    expect(formatDivergedLoss(33_456)).toBe('3.3e+4');
  });
});
