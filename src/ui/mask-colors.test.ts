import { describe, expect, it } from 'vitest';
import { SEGMENTATION_CLASSES } from '../data/synthetic-scenes';
import { cssColor, MASK_COLORS, maskRgba } from './mask-colors';

describe('mask colours', () => {
  it('has one distinct colour per segmentation class, black for the background', () => {
    expect(MASK_COLORS).toHaveLength(SEGMENTATION_CLASSES.length);
    expect(MASK_COLORS[0]).toEqual([0, 0, 0]);
    expect(new Set(MASK_COLORS.map(cssColor)).size).toBe(MASK_COLORS.length);
  });

  it('writes each label as its colour, opaque; a label without a colour as white', () => {
    const colors = [
      [0, 0, 0],
      [10, 20, 30],
    ] as const;
    expect(Array.from(maskRgba([1, 0, 7], colors))).toEqual([
      10, 20, 30, 255, 0, 0, 0, 255, 255, 255, 255, 255,
    ]);
  });

  it('names a colour as getComputedStyle does', () => {
    expect(cssColor([78, 121, 167])).toBe('rgb(78, 121, 167)');
  });
});
