import { describe, expect, it } from 'vitest';
import { formatFailpoints, hasFailpoints, NO_FAILPOINTS, parseFailpoints } from './failpoints';

const KERNELS = new Set(['direct', 'tiled-64x64', 'tfjs']);

describe('failpoints', () => {
  it('parse all three kinds, separated by commas or spaces', () => {
    const { failpoints, errors } = parseFailpoints(
      'compile:tiled-64x64, wrong:direct gpu-error:5,gpu-error:12',
      KERNELS,
    );
    expect(errors).toEqual([]);
    expect([...failpoints.compile]).toEqual(['tiled-64x64']);
    expect([...failpoints.wrong]).toEqual(['direct']);
    expect([...failpoints.gpuErrorSteps]).toEqual([5, 12]);
    expect(formatFailpoints(failpoints)).toBe(
      'compile:tiled-64x64, wrong:direct, gpu-error:5, gpu-error:12',
    );
    expect(hasFailpoints(failpoints)).toBe(true);
  });

  it('an empty list is none', () => {
    const { failpoints, errors } = parseFailpoints('  ', KERNELS);
    expect(errors).toEqual([]);
    expect(hasFailpoints(failpoints)).toBe(false);
    expect(hasFailpoints(NO_FAILPOINTS)).toBe(false);
  });

  it.each([
    ['explode:now', /unknown failpoint "explode:now"/],
    ['compile', /compile needs a kernel id/],
    ['wrong:Tiled_64', /wrong needs a kernel id/],
    ['wrong:tiled-99x99', /no kernel "tiled-99x99" \(kernels: direct, tiled-64x64, tfjs\)/],
    ['gpu-error:0', /gpu-error needs a training step ≥ 1/],
    ['gpu-error:2.5', /gpu-error needs a training step/],
    ['gpu-error:', /gpu-error needs a training step/],
  ])('refuse "%s" with a message naming it', (text, message) => {
    const { errors } = parseFailpoints(text, KERNELS);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it('without the kernel list, any well-formed id is taken', () => {
    expect(parseFailpoints('compile:tiled-99x99').errors).toEqual([]);
  });
});
