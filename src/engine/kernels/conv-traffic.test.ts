import { describe, expect, it } from 'vitest';
import { convGeometry } from './conv-geometry';
import { directConvTraffic, tiledConvTraffic } from './conv-traffic';

// 1 image, 4×4 pixels, 4 → 4 channels, 3×3, stride 1, padding 1: a 4×4 output. Counted by hand:
// output rows 0 and 3 have 2 kernel rows inside the image, rows 1 and 2 have 3 (10 pairs in
// all, and as many along w); corner outputs see 4 taps, edge outputs 6, inner ones 9: 100 taps.
const g = convGeometry([1, 4, 4, 4], [3, 3, 4, 4], 1, 1);

describe('directConvTraffic', () => {
  it('forward: per valid (output row, kernel row) the 4 real input pixels and 3×4 weight vec4s', () => {
    // 10 pairs × (4 input vec4 + 12 weight vec4) × 16 B; 16 output vec4.
    expect(directConvTraffic('forward', g, 4, 8)).toEqual({
      bytesRead: 10 * (4 + 12) * 16,
      bytesWritten: 16 * 16,
    });
  });

  it('input gradient: weight blocks per valid kernel row, dy per tap landing on a pixel of the block', () => {
    // 10 (ih, kh) pairs; per pair 3 kw × 4 weight vec4, and the dy loads of the block's 8 pixels
    // (all load; only the store stops at W) whose ow = iw + 1 − kw is in 0…3: kw 0 → iw 0…2,
    // kw 1 → iw 0…3, kw 2 → iw 1…4: 3 + 4 + 4 = 11.
    expect(directConvTraffic('inputGrad', g, 4, 8)).toEqual({
      bytesRead: 10 * (12 + 11) * 16,
      bytesWritten: 16 * 16,
    });
  });

  it('filter gradient: one x and one dy vec4 per real tap, f32 partials, then the sum pass', () => {
    // 100 taps × 2 vec4 × 16 B; 9 taps × 4 × 4 weights × 4 B = 576 B.
    expect(directConvTraffic('filterGrad', g, 4, 8)).toEqual({
      bytesRead: 3200,
      bytesWritten: 576,
    });
    // 3 splits: partials written (3 × 576), read back by the sum pass, which writes 576.
    expect(directConvTraffic('filterGrad', g, 4, 8, 3)).toEqual({
      bytesRead: 3200 + 1728,
      bytesWritten: 1728 + 576,
    });
  });

  it('packed storage halves every activation and weight byte, not the f32 filter gradient', () => {
    expect(directConvTraffic('forward', g, 2, 8).bytesRead).toBe(10 * 16 * 8);
    expect(directConvTraffic('filterGrad', g, 2, 8).bytesWritten).toBe(576);
  });
});

describe('tiledConvTraffic', () => {
  it('forward in one tile: the 100 real taps × 4 channels of x and the 36×4 weights, once each', () => {
    expect(tiledConvTraffic('forward', g, 4, { tileM: 128, tileN: 16, splits: 1 })).toEqual({
      bytesRead: (400 + 144) * 4,
      bytesWritten: 16 * 4 * 4,
    });
  });

  it('reads A once per column of tiles and B once per row of tiles', () => {
    // M = 16 output pixels in tiles of 8: B (the weights) is read twice; N = 4 in tiles of 2:
    // A (x) twice.
    expect(tiledConvTraffic('forward', g, 4, { tileM: 8, tileN: 2, splits: 1 }).bytesRead).toBe(
      (2 * 400 + 2 * 144) * 4,
    );
  });

  it('filter gradient with split-K: f32 partials written, then read and summed', () => {
    // M = 36, N = 4: partials 3 × 144 floats; x 400 real elements, dy 16 × 4.
    expect(tiledConvTraffic('filterGrad', g, 4, { tileM: 128, tileN: 16, splits: 3 })).toEqual({
      bytesRead: (400 + 64) * 4 + 3 * 144 * 4,
      bytesWritten: 3 * 144 * 4 + 144 * 4,
    });
  });

  it('input gradient split by stride phase: B once per row of each phase’s tiles', () => {
    // 1 image 5×5, 4 → 8 channels, 3×3 stride 2 padding 1: a 3×3 output. Phases have ⌈5/2⌉² = 9
    // rows each; in tiles of 8 rows, 2 rows of tiles per phase, so the 9·4·8 weights are read
    // twice (unsplit: 25 rows, 4 rows of tiles, 4 times). dy's real elements: the (oh, kh) pairs
    // inside the image, 2 + 3 + 2 = 7 along h and as many along w, × 8 channels, once (N = 4 fits
    // one tile column).
    const strided = convGeometry([1, 5, 5, 4], [3, 3, 4, 8], 2, 1);
    const tile = { tileM: 8, tileN: 16, splits: 1 };
    const dy = 7 * 7 * 8;
    expect(tiledConvTraffic('inputGrad', strided, 4, { ...tile, stridePhases: true })).toEqual({
      bytesRead: (dy + 288 * 2) * 4,
      bytesWritten: 25 * 4 * 4,
    });
    expect(tiledConvTraffic('inputGrad', strided, 4, tile).bytesRead).toBe((dy + 288 * 4) * 4);
  });
});
