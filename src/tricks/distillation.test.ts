import { describe, expect, it } from 'vitest';
import {
  crossEntropy,
  distillationLoss,
  reportedDistillationLoss,
  softmax,
  teacherEntropyTerm,
} from './distillation';
import { appliesWeightDecay, nagStep, type NagState } from './nag';

describe('losses (paper Eq. 2, 3, 6)', () => {
  it('softmax and cross entropy', () => {
    const q = softmax([0, Math.log(3)]);
    expect(q[0]).toBeCloseTo(0.25, 12);
    expect(q[1]).toBeCloseTo(0.75, 12);
    expect(crossEntropy([0, 1], q)).toBeCloseTo(-Math.log(0.75), 12);
    expect([...softmax([1000, 1000])]).toEqual([0.5, 0.5]);
  });

  it('distillation adds T²·ℓ(softmax(r/T), softmax(z/T))', () => {
    const z = [0, Math.log(3)];
    expect(distillationLoss([0, 1], z, [0, 0], 1)).toBeCloseTo(0.287682 + 0.836988, 5);
    // T = 2: softmax(z/2) = [1/(1+√3), √3/(1+√3)], teacher uniform.
    const soft =
      -0.5 * (Math.log(1 / (1 + Math.sqrt(3))) + Math.log(Math.sqrt(3) / (1 + Math.sqrt(3))));
    expect(distillationLoss([0, 1], z, [0, 0], 2)).toBeCloseTo(0.287682 + 4 * soft, 5);
    expect(distillationLoss([0, 1], z, [0, 0], 2)).toBeCloseTo(3.20926, 4);
  });

  it('charts Eq. 6 without the teacher-only constant T²·H(softmax(r/T))', () => {
    const z = [0, Math.log(3)];
    expect(teacherEntropyTerm([0, 0], 2)).toBeCloseTo(4 * Math.log(2), 12);
    expect(reportedDistillationLoss([0, 1], z, [0, 0], 2)).toBeCloseTo(
      3.20926 - 4 * Math.log(2),
      4,
    );
    // A teacher equal to the student adds nothing: KL = 0.
    expect(reportedDistillationLoss([0, 1], z, z, 20)).toBeCloseTo(-Math.log(0.75), 10);
  });
});

describe('Nesterov SGD with weight-decay groups', () => {
  it('matches two hand-computed NAG steps', () => {
    let state: NagState = { weights: new Float64Array([1]), velocity: new Float64Array([0]) };
    state = nagStep(state, [0.5], 0.1, 0.01);
    expect(state.velocity[0]).toBeCloseTo(0.51, 12);
    expect(state.weights[0]).toBeCloseTo(0.9031, 12);
    state = nagStep(state, [0.5], 0.1, 0.01);
    expect(state.velocity[0]).toBeCloseTo(0.968031, 12);
    expect(state.weights[0]).toBeCloseTo(0.7650741, 7);
  });

  it('decays everything by default and only conv/FC weights with no bias decay', () => {
    const roles = ['conv-weight', 'fc-weight', 'fc-bias', 'bn-gamma', 'bn-beta'] as const;
    expect(roles.map((r) => appliesWeightDecay(r, false))).toEqual([true, true, true, true, true]);
    expect(roles.map((r) => appliesWeightDecay(r, true))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
