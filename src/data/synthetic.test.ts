import { describe, expect, it } from 'vitest';
import { generateSyntheticDataset, SYNTHETIC_CLASSES } from './synthetic';

describe('synthetic dataset', () => {
  const a = generateSyntheticDataset({ seed: 4, trainSize: 60, valSize: 20 });

  it('is 32×32 RGB with 10 balanced classes', () => {
    expect(a.classNames).toEqual([...SYNTHETIC_CLASSES]);
    expect(a.train.images.length).toBe(60 * 32 * 32 * 3);
    expect(a.val.labels.length).toBe(20);
    const counts = new Array(10).fill(0);
    for (const l of a.train.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(6));
  });

  it('is a deterministic function of the seed with a fixed validation split', () => {
    const again = generateSyntheticDataset({ seed: 4, trainSize: 60, valSize: 20 });
    expect(again.train.images).toEqual(a.train.images);
    const moreTrain = generateSyntheticDataset({ seed: 4, trainSize: 100, valSize: 20 });
    expect(moreTrain.val.images).toEqual(a.val.images);
    const other = generateSyntheticDataset({ seed: 5, trainSize: 60, valSize: 20 });
    expect(other.train.images).not.toEqual(a.train.images);
  });

  it('draws visible, varied images (not constant, not saturated)', () => {
    const px = a.train.images;
    let sum = 0;
    for (const v of px) sum += v;
    const mean = sum / px.length;
    expect(mean).toBeGreaterThan(60);
    expect(mean).toBeLessThan(200);
    const first = px.subarray(0, 3072);
    expect(new Set(first).size).toBeGreaterThan(50);
  });
});
