import { describe, expect, it } from 'vitest';
import { cropMasks, cropNearest, gatherMasks } from './mask-crop';

// One 4×4 mask, rows 0..3: [1 2 3 4], [5 6 7 8], [9 10 11 12], [13 14 15 16].
const MASK = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

describe('cropMasks', () => {
  it('the whole-image box at the same size is the mask itself', () => {
    const out = cropMasks(MASK, Float32Array.of(0, 0, 1, 1), 1, 4, 4, 4);
    expect(Array.from(out)).toEqual(Array.from(MASK));
  });

  it('a flipped box (x1 > x2) mirrors every row', () => {
    const out = cropMasks(MASK, Float32Array.of(0, 1, 1, 0), 1, 4, 4, 4);
    expect(Array.from(out)).toEqual([4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9, 16, 15, 14, 13]);
  });

  it('the box of the bottom-right 2×2 pixels, upsampled to 4×4, takes the nearest labels', () => {
    // Box rows and columns 2/3 … 1 of (n − 1) = 3: source 2, 2.33, 2.67, 3 → rounded 2, 2, 3, 3.
    const out = cropMasks(MASK, Float32Array.of(2 / 3, 2 / 3, 1, 1), 1, 4, 4, 4);
    expect(Array.from(out)).toEqual([
      11, 11, 12, 12, 11, 11, 12, 12, 15, 15, 16, 16, 15, 15, 16, 16,
    ]);
  });

  it('points outside the image are background, as cropAndResize paints them black', () => {
    // Rows −1.5 … 1.5 of the source: the first two output rows fall above the image.
    const out = cropMasks(MASK, Float32Array.of(-0.5, 0, 0.5, 1), 1, 4, 4, 4);
    expect(Array.from(out.subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // Row 0.5 rounds to 1 (Math.round), row 1.5 to 2.
    expect(Array.from(out.subarray(8))).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('crops each image of a batch with its own box', () => {
    const two = new Uint8Array([...MASK, ...MASK.map((v) => v + 16)]);
    const out = cropMasks(two, Float32Array.of(0, 0, 1, 1, 0, 0, 1, 1), 2, 4, 4, 2);
    // Source points 0 and 3 on each axis.
    expect(Array.from(out)).toEqual([1, 4, 13, 16, 17, 20, 29, 32]);
  });
});

describe('cropNearest', () => {
  it('moves every channel of a pixel together: a flipped 2×2 RGB image', () => {
    // Pixels (row-major) [1,2,3] [4,5,6] / [7,8,9] [10,11,12].
    const rgb = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
    const out = cropNearest(rgb, 3, Float32Array.of(0, 1, 1, 0), 1, 2, 2, 2);
    expect(Array.from(out)).toEqual([4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9]);
  });
});

describe('gatherMasks', () => {
  it('copies the masks of the given indices in order', () => {
    const masks = Uint8Array.of(1, 1, 2, 2, 3, 3);
    expect(Array.from(gatherMasks(masks, [2, 0], 2))).toEqual([3, 3, 1, 1]);
  });
});
