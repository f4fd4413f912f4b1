import { describe, expect, it } from 'vitest';
import { resizeShorterSideCenterCrop, storedSideFor } from './resize';

describe('resizeShorterSideCenterCrop', () => {
  it('keeps a constant image constant at any scale', () => {
    const pixels = new Uint8Array(40 * 25 * 3).fill(77);
    for (const side of [7, 25, 37, 80]) {
      const out = resizeShorterSideCenterCrop(pixels, 40, 25, side);
      expect(out.length).toBe(side * side * 3);
      expect(out.every((v) => v === 77)).toBe(true);
    }
  });

  it('halving averages each 2×2 block (no aliasing)', () => {
    // A checkerboard of 0/200 averages to 100 everywhere.
    const pixels = new Uint8Array(8 * 8 * 3);
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++)
        pixels.fill((x + y) % 2 ? 200 : 0, (y * 8 + x) * 3, (y * 8 + x + 1) * 3);
    expect(Array.from(new Set(resizeShorterSideCenterCrop(pixels, 8, 8, 4)))).toEqual([100]);
  });

  it('crops the centre square of a wide image', () => {
    // Left third 0, middle third 255, right third 0: the centre square is the middle.
    const pixels = new Uint8Array(30 * 10 * 3);
    for (let y = 0; y < 10; y++) pixels.fill(255, (y * 30 + 10) * 3, (y * 30 + 20) * 3);
    expect(resizeShorterSideCenterCrop(pixels, 30, 10, 10).every((v) => v === 255)).toBe(true);
  });

  it('stores images at input × 256/224', () => {
    expect(storedSideFor(224)).toBe(256);
    expect(storedSideFor(32)).toBe(37);
  });
});
