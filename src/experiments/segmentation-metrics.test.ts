import { describe, expect, it } from 'vitest';
import {
  accumulateConfusion,
  classIoU,
  confusionOf,
  emptyConfusion,
  meanIoU,
  pixelAccuracy,
} from './segmentation-metrics';

// prettier-ignore
const truth = new Uint8Array([
  0, 0, 0, 0,
  0, 0, 1, 1,
  1, 1, 1, 1,
  2, 2, 2, 2,
]);
// Four errors: pixel 3 (0→1), pixel 5 (0→1), pixel 10 (1→2), pixel 15 (2→0).
// prettier-ignore
const predicted = new Uint8Array([
  0, 0, 0, 1,
  0, 1, 1, 1,
  1, 1, 2, 1,
  2, 2, 2, 0,
]);

describe('segmentation metrics on a hand-made 4×4 map', () => {
  it('counts truth by row, prediction by column', () => {
    const c = confusionOf(predicted, truth, 3);
    // truth 0: 4 right, 2 called 1; truth 1: 5 right, 1 called 2; truth 2: 3 right, 1 called 0.
    // prettier-ignore
    expect([...c.counts]).toEqual([
      4, 2, 0,
      0, 5, 1,
      1, 0, 3,
    ]);
  });

  it('pixAcc = 12/16 and mIoU = (4/7 + 5/8 + 3/5)/3 = 503/840', () => {
    const c = confusionOf(predicted, truth, 3);
    expect(pixelAccuracy(c)).toBe(0.75);
    // IoU0 = 4 / (6 truth + 5 predicted − 4) = 4/7
    // IoU1 = 5 / (6 + 7 − 5) = 5/8
    // IoU2 = 3 / (4 + 4 − 3) = 3/5
    const iou = classIoU(c);
    expect(iou[0]).toBeCloseTo(4 / 7, 12);
    expect(iou[1]).toBeCloseTo(5 / 8, 12);
    expect(iou[2]).toBeCloseTo(3 / 5, 12);
    // (160 + 175 + 168) / 280 / 3
    expect(meanIoU(c)).toBeCloseTo(503 / 840, 12);
  });

  it('leaves out a class absent from both truth and prediction', () => {
    const c = confusionOf(predicted, truth, 4);
    expect(Number.isNaN(classIoU(c)[3])).toBe(true);
    expect(meanIoU(c)).toBeCloseTo(503 / 840, 12);
  });

  it('scores a class present only in the prediction as IoU 0', () => {
    const allZero = new Uint8Array(16);
    const oneWrong = new Uint8Array(16);
    oneWrong[7] = 3;
    const c = confusionOf(oneWrong, allZero, 4);
    // IoU0 = 15 / (16 + 15 − 15) = 15/16; IoU3 = 0 / (0 + 1 − 0) = 0; classes 1 and 2 absent.
    expect(pixelAccuracy(c)).toBe(15 / 16);
    expect(meanIoU(c)).toBeCloseTo((15 / 16 + 0) / 2, 12);
  });

  it('skips pixels whose truth is the ignore label', () => {
    const withIgnored = truth.slice();
    withIgnored[3] = 255;
    withIgnored[15] = 255;
    const c = confusionOf(predicted, withIgnored, 3, { ignoreLabel: 255 });
    // 14 pixels counted, 12 right. truth 0: 4 right + 1 called 1; truth 1: 5 + 1 called 2;
    // truth 2: 3 right. Predicted: 0 ×4, 1 ×6, 2 ×4.
    expect(pixelAccuracy(c)).toBeCloseTo(12 / 14, 12);
    // IoU0 = 4/(5+4−4) = 4/5, IoU1 = 5/(6+6−5) = 5/7, IoU2 = 3/(3+4−3) = 3/4
    // (112 + 100 + 105) / 140 / 3 = 317/420
    expect(meanIoU(c)).toBeCloseTo(317 / 420, 12);
  });

  it('accumulates images into one matrix (dataset-level IoU, not a mean of per-image IoUs)', () => {
    const c = emptyConfusion(3);
    accumulateConfusion(c, predicted.subarray(0, 8), truth.subarray(0, 8));
    accumulateConfusion(c, predicted.subarray(8), truth.subarray(8));
    expect([...c.counts]).toEqual([4, 2, 0, 0, 5, 1, 1, 0, 3]);
    // Top half alone: truth 0 ×6, 1 ×2; pred 0 ×4, 1 ×4 → IoU0 = 4/6, IoU1 = 2/4; its own mIoU
    // 7/12 differs from what the summed matrix gives.
    expect(meanIoU(confusionOf(predicted.subarray(0, 8), truth.subarray(0, 8), 3))).toBeCloseTo(
      7 / 12,
      12,
    );
  });

  it('is 1 for a perfect prediction and refuses bad input', () => {
    const c = confusionOf(truth, truth, 3);
    expect(pixelAccuracy(c)).toBe(1);
    expect(meanIoU(c)).toBe(1);
    expect(() => confusionOf(predicted, truth, 2)).toThrow(RangeError);
    expect(() => confusionOf(predicted.subarray(1), truth, 3)).toThrow(RangeError);
    expect(() => emptyConfusion(0)).toThrow(RangeError);
  });
});
