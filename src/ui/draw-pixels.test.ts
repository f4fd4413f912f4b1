import { describe, expect, it } from 'vitest';
import { rgbToRgba } from './draw-pixels';

describe('rgbToRgba', () => {
  it('copies the RGB bytes from the offset and makes each pixel opaque', () => {
    const pixels = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(rgbToRgba(pixels, 3, 2))).toEqual([4, 5, 6, 255, 7, 8, 9, 255]);
  });
});
