import { describe, expect, it } from 'vitest';
import { imagesInStep, stepsPerEpoch } from './epoch-plan';

describe('every image once per epoch', () => {
  it('the default 5,000 images at batch 1024: four full batches and one of 904', () => {
    expect(stepsPerEpoch(5000, 1024)).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => imagesInStep(i, 5000, 1024))).toEqual([
      1024, 1024, 1024, 1024, 904,
    ]);
  });

  it('a batch that divides the images adds no smaller batch', () => {
    expect(stepsPerEpoch(5000, 125)).toBe(40);
    expect(imagesInStep(39, 5000, 125)).toBe(125);
  });

  it('sums to the training set for any batch', () => {
    for (const batch of [1, 3, 7, 128, 999, 1000]) {
      let seen = 0;
      for (let i = 0; i < stepsPerEpoch(1000, batch); i++) seen += imagesInStep(i, 1000, batch);
      expect(seen).toBe(1000);
    }
  });

  it('a remainder of one image joins the batch before it (BN has no variance over one image)', () => {
    expect(stepsPerEpoch(2049, 1024)).toBe(2);
    expect([0, 1].map((i) => imagesInStep(i, 2049, 1024))).toEqual([1024, 1025]);
    expect(stepsPerEpoch(1025, 1024)).toBe(1);
    expect(imagesInStep(0, 1025, 1024)).toBe(1025);
    expect(imagesInStep(1, 1025, 1024)).toBe(0);
  });

  it('a single image at batch 1 is still its own step', () => {
    expect(stepsPerEpoch(1, 1)).toBe(1);
    expect(imagesInStep(0, 1, 1)).toBe(1);
  });

  it('no images or no batch: no steps', () => {
    expect(stepsPerEpoch(0, 32)).toBe(0);
    expect(stepsPerEpoch(10, 0)).toBe(0);
  });
});
