import { describe, expect, it } from 'vitest';
import { confusionMatrix, perClassAccuracy, sampleIndices, topConfusions } from './predictions';

const set = {
  labels: [0, 0, 1, 1, 2, 2, 2],
  predictions: [0, 1, 1, 1, 2, 0, 0],
  confidences: [0.9, 0.8, 0.7, 0.6, 0.5, 0.95, 0.4],
};

describe('prediction summaries', () => {
  it('counts the confusion matrix as [true][predicted]', () => {
    expect(confusionMatrix(set, 3)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [2, 0, 1],
    ]);
  });

  it('gives per-class accuracy, null for an empty class', () => {
    expect(perClassAccuracy(confusionMatrix(set, 4))).toEqual([0.5, 1, 1 / 3, null]);
  });

  it('lists the most frequent confusions first', () => {
    expect(topConfusions(confusionMatrix(set, 3), 2)).toEqual([
      { label: 2, predicted: 0, images: 2 },
      { label: 0, predicted: 1, images: 1 },
    ]);
  });

  it('samples the most confident mistakes first, then correct images', () => {
    expect(sampleIndices(set, 4)).toEqual([5, 1, 0, 2]);
    expect(sampleIndices(set, 100).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sampleIndices({ labels: [], predictions: [], confidences: [] }, 4)).toEqual([]);
  });
});
