import { describe, expect, it } from 'vitest';
import {
  learningRateAt,
  lrScheduleFromConfig,
  peakLearningRate,
  sampleLrCurve,
  type LrSchedule,
} from './lr-schedule';

const base = { lr: 0.1, batch: 1024, linear_scaling: true, warmup: 0, epochs: 10, cosine: false };

describe('learning-rate schedules (paper §3.1, §5.1)', () => {
  it('linear scaling: 0.1 × b/256', () => {
    expect(peakLearningRate({ lr: 0.1, batch: 1024, linear_scaling: true })).toBeCloseTo(0.4, 12);
    expect(peakLearningRate({ lr: 0.1, batch: 128, linear_scaling: true })).toBeCloseTo(0.05, 12);
    expect(peakLearningRate({ lr: 0.1, batch: 1024, linear_scaling: false })).toBe(0.1);
  });

  it('warmup is per batch: lr_i = i·η/m for batch i = 1..m', () => {
    const s = lrScheduleFromConfig({ ...base, warmup: 2, cosine: true }, 2); // m = 4 batches
    expect(s.warmupSteps).toBe(4);
    expect([0, 1, 2, 3].map((i) => learningRateAt(s, i))).toEqual([
      0.1, 0.2, 0.30000000000000004, 0.4,
    ]);
  });

  it('cosine: ½(1 + cos(tπ/T))·η with t counted after warmup', () => {
    const noWarmup = lrScheduleFromConfig({ ...base, cosine: true }, 1); // T = 10
    expect(learningRateAt(noWarmup, 0)).toBeCloseTo(0.4, 12);
    expect(learningRateAt(noWarmup, 5)).toBeCloseTo(0.2, 12);
    // t = 9 of 10: ½(1 + cos 162°) × 0.4 = ½(1 − 0.9510565) × 0.4.
    expect(learningRateAt(noWarmup, 9)).toBeCloseTo(0.0097887, 7);
    const warm: LrSchedule = {
      peakLr: 1,
      warmupSteps: 2,
      totalSteps: 12,
      decay: 'cosine',
      stepBoundaries: [],
    };
    expect(learningRateAt(warm, 1)).toBe(1);
    expect(learningRateAt(warm, 2)).toBe(1); // t = 0
    expect(learningRateAt(warm, 7)).toBeCloseTo(0.5, 12); // t = 5 of T = 10
  });

  it('the paper’s §3 + §5 schedule by hand: 5 warmup of 120 epochs, then cosine from 0.4', () => {
    // 10 batches per epoch: m = 50 warmup batches, T = 1150 cosine batches.
    const s = lrScheduleFromConfig({ ...base, epochs: 120, warmup: 5, cosine: true }, 10);
    const at = (step: number) => learningRateAt(s, step);
    expect(at(0)).toBeCloseTo(0.008, 12); // batch 1: 1 × 0.4/50
    expect(at(24)).toBeCloseTo(0.2, 12); // batch 25: 25 × 0.4/50
    expect(at(49)).toBeCloseTo(0.4, 12); // batch 50: warmup ends at η
    expect(at(50)).toBeCloseTo(0.4, 12); // t = 0
    expect(at(280)).toBeCloseTo(0.3618034, 7); // t = T/5: ½(1 + cos 36°) × 0.4
    expect(at(625)).toBeCloseTo(0.2, 12); // t = T/2
    expect(at(970)).toBeCloseTo(0.0381966, 7); // t = 4T/5: ½(1 + cos 144°) × 0.4
    expect(at(1199)).toBeCloseTo(7.463e-7, 9); // t = T − 1: ≈ 0.2 × (π/1150)² / 2
  });

  it('step decay divides by 10 at ¼, ½ and ¾ of the batches', () => {
    const s = lrScheduleFromConfig({ ...base, epochs: 100, linear_scaling: false }, 1);
    expect(s.stepBoundaries).toEqual([25, 50, 75]);
    expect(learningRateAt(s, 24)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 25)).toBeCloseTo(0.01, 12);
    expect(learningRateAt(s, 50)).toBeCloseTo(0.001, 12);
    expect(learningRateAt(s, 99)).toBeCloseTo(0.0001, 12);
  });

  it('step decay after warmup keeps the boundaries of the whole training', () => {
    const s = lrScheduleFromConfig({ ...base, epochs: 8, warmup: 1, linear_scaling: false }, 10);
    expect(learningRateAt(s, 0)).toBeCloseTo(0.01, 12);
    expect(learningRateAt(s, 19)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 20)).toBeCloseTo(0.01, 12);
  });

  it('the sampled curve is bounded, ordered and keeps step drops sharp', () => {
    const s = lrScheduleFromConfig({ ...base, epochs: 120, linear_scaling: false }, 1000);
    const curve = sampleLrCurve(s, 200);
    expect(curve.length).toBeLessThanOrEqual(210);
    expect(curve[0]).toEqual({ step: 1, lr: 0.1 });
    expect(curve.at(-1)!.step).toBe(120000);
    for (let i = 1; i < curve.length; i++)
      expect(curve[i]!.step).toBeGreaterThan(curve[i - 1]!.step);
    const around = curve.filter((p) => p.step === 30000 || p.step === 30001).map((p) => p.lr);
    expect(around[0]).toBeCloseTo(0.1, 12);
    expect(around[1]).toBeCloseTo(0.01, 12);
  });
});
