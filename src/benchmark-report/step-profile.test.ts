import { describe, expect, it } from 'vitest';
import { formatStepProfile, kernelTimes } from './step-profile';

describe('kernelTimes', () => {
  const passes = [
    { label: 'bn-stats', dispatches: 1, ms: 0.5 },
    { label: 'direct forward f32', dispatches: 1, ms: 2 },
    { label: 'bn-stats', dispatches: 1, ms: 0.25 },
    { label: 'BinaryOpProgram', dispatches: 0, ms: 9 },
    { label: 'fused-nag', dispatches: 1, ms: -1 },
  ];

  it('sums each kernel’s dispatches and time, most time first, dropping empty passes', () => {
    const profile = kernelTimes(passes, 5);
    expect(profile.kernels).toEqual([
      { kernel: 'direct forward f32', dispatches: 1, ms: 2 },
      { kernel: 'bn-stats', dispatches: 2, ms: 0.75 },
      { kernel: 'fused-nag', dispatches: 1, ms: 0 },
    ]);
    expect(profile.dispatches).toBe(4);
    expect(profile.gpuMs).toBe(2.75);
    expect(profile.stepMs).toBe(5);
  });

  it('prints each kernel’s share of the GPU time and the GPU’s share of the step', () => {
    const text = formatStepProfile(kernelTimes(passes, 5), 'engine f32');
    expect(text.split('\n')[3]).toMatch(/^direct forward f32 +1 +2\.000 +73%$/);
    expect(text).toContain(
      '4 dispatches, 2.75 ms of GPU work in a 5.00 ms step (GPU work ÷ step: 55%)',
    );
  });
});
