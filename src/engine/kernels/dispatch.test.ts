import { describe, expect, it } from 'vitest';
import { f32, uniformFields } from './dispatch';

describe('the uniform packer', () => {
  it('writes u32 fields as uint32 and f32(x) fields as float32, in order', () => {
    expect(uniformFields('bn', [7, f32(1e-5), 0])).toEqual([
      { type: 'uint32', data: [7] },
      { type: 'float32', data: [1e-5] },
      { type: 'uint32', data: [0] },
    ]);
  });

  it.each([1.5, -1, 2 ** 32, Number.NaN])('refuses %s as a u32, naming the program', (v) => {
    expect(() => uniformFields('conv2d-tiled', [4, v])).toThrow(/conv2d-tiled: uniform 1/);
  });

  it('lets any float through f32(), NaN and negatives included', () => {
    expect(uniformFields('nag', [f32(-0.25), f32(Number.NaN)]).map((f) => f.type)).toEqual([
      'float32',
      'float32',
    ]);
  });
});
