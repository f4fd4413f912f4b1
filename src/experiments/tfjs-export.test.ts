import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import { buildTfjsArtifacts, MODEL_FORMAT } from './tfjs-export';

describe('TensorFlow.js export', () => {
  it('writes a weights manifest whose shapes match the concatenated float32 data', () => {
    const weights = [
      { name: 'stem.conv.weight', shape: [3, 3, 3, 4], values: new Float32Array(108).fill(0.5) },
      { name: 'fc.bias', shape: [10], values: Float32Array.from({ length: 10 }, (_, i) => i) },
    ];
    const { modelJson, weightsBin } = buildTfjsArtifacts(
      { ...DEFAULT_CONFIG, model: 'resnet10' },
      weights,
      'r1',
    );
    const json = JSON.parse(modelJson);
    expect(json.format).toBe(MODEL_FORMAT);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights[1]).toEqual({
      name: 'fc.bias',
      shape: [10],
      dtype: 'float32',
    });
    expect(json.modelTopology.spec.classes).toBe(10);
    expect(weightsBin.byteLength).toBe((108 + 10) * 4);
    const floats = new Float32Array(weightsBin.buffer, weightsBin.byteOffset, 118);
    expect(floats[0]).toBe(0.5);
    expect(floats[117]).toBe(9);
  });
});
