import { describe, expect, it } from 'vitest';
import { createRng } from './random';
import {
  hueMatrix,
  lightingOffset,
  multiply3,
  sampleAugmentation,
  NO_AUGMENTATION,
  NORMALIZE_MEAN,
  NORMALIZE_STD,
  PCA_EIGENVALUES,
  PCA_EIGENVECTORS,
  sampleAugmentationBatch,
  saturationMatrix,
  type PreprocessingSwitches,
  validationBox,
  type Matrix3,
} from './preprocessing';

const IDENTITY: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function apply(m: Matrix3, rgb: number[]): number[] {
  return [0, 1, 2].map(
    (r) => m[r * 3]! * rgb[0]! + m[r * 3 + 1]! * rgb[1]! + m[r * 3 + 2]! * rgb[2]!,
  );
}

describe('baseline preprocessing (paper §2.1)', () => {
  const rng = createRng(11);
  const samples = Array.from({ length: 20000 }, () => sampleAugmentation(rng, 32, 48));

  it('random-resized-crop: area in [8%, 100%], aspect in [3/4, 4/3]', () => {
    const areas: number[] = [];
    for (const { box, flip } of samples) {
      const [y1, x1, y2, x2] = box;
      const w = Math.abs(x2 - x1) * 48;
      const h = (y2 - y1) * 32;
      const area = (w * h) / (32 * 48);
      areas.push(area);
      expect(area).toBeGreaterThanOrEqual(0.08 - 1e-9);
      expect(area).toBeLessThanOrEqual(1 + 1e-9);
      if (area < 1) {
        expect(w / h).toBeGreaterThanOrEqual(0.75 - 1e-9);
        expect(w / h).toBeLessThanOrEqual(4 / 3 + 1e-9);
      }
      expect(x2 < x1).toBe(flip);
      expect(Math.min(x1, x2)).toBeGreaterThanOrEqual(0);
      expect(Math.max(x1, x2)).toBeLessThanOrEqual(1 + 1e-9);
    }
    // Area is uniform: on a 32×48 image every crop of area ≤ 50% fits at any allowed aspect, so
    // two equal sub-intervals of [8%, 50%] receive the same share of samples.
    const low = areas.filter((a) => a >= 0.08 && a < 0.29).length / areas.length;
    const high = areas.filter((a) => a >= 0.29 && a < 0.5).length / areas.length;
    expect(low).toBeGreaterThan(0.2);
    expect(Math.abs(low - high)).toBeLessThan(0.02);
  });

  it('flips half of the images', () => {
    const rate = samples.filter((s) => s.flip).length / samples.length;
    expect(rate).toBeGreaterThan(0.48);
    expect(rate).toBeLessThan(0.52);
  });

  it('draws hue, saturation and brightness from U[0.6, 1.4]', () => {
    for (const key of ['hue', 'saturation', 'brightness'] as const) {
      const xs = samples.map((s) => s[key]);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.6);
      expect(Math.max(...xs)).toBeLessThan(1.4);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean).toBeCloseTo(1, 1);
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
      expect(variance).toBeCloseTo(0.8 ** 2 / 12, 2);
    }
  });

  it('draws the PCA lighting coefficients from N(0, 0.1)', () => {
    const alphas = samples.flatMap((s) => s.lightingAlpha);
    const mean = alphas.reduce((a, b) => a + b, 0) / alphas.length;
    const std = Math.sqrt(alphas.reduce((a, b) => a + (b - mean) ** 2, 0) / alphas.length);
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expect(std).toBeCloseTo(0.1, 2);
    expect(lightingOffset([1, 0, 0]).map((v) => +v.toFixed(3))).toEqual([
      -31.474, -32.211, -32.366,
    ]);
  });

  it('colour matrices: brightness scales, saturation 0 gives gray, hue 1 is the identity', () => {
    expect(apply(saturationMatrix(0), [255, 0, 0]).map((v) => +v.toFixed(3))).toEqual([
      76.245, 76.245, 76.245,
    ]);
    expect(apply(saturationMatrix(1.4), [100, 100, 100]).map((v) => +v.toFixed(9))).toEqual([
      100, 100, 100,
    ]);
    const hue = hueMatrix(1);
    hue.forEach((v, i) => expect(v).toBeCloseTo(IDENTITY[i]!, 2));
    // A hue rotation keeps the luma of a colour.
    const rotated = apply(hueMatrix(1.3), [200, 50, 20]);
    const luma = (c: number[]) => 0.299 * c[0]! + 0.587 * c[1]! + 0.114 * c[2]!;
    expect(luma(rotated)).toBeCloseTo(luma([200, 50, 20]), 0);
    expect(multiply3(IDENTITY, hue)).toEqual(hue);
  });

  it('validation: shorter side to input·256/224, centre crop', () => {
    expect(validationBox(32, 32)).toEqual([0.0625, 0.0625, 0.9375, 0.9375]);
    const wide = validationBox(32, 64);
    expect(wide[3] - wide[1]).toBeCloseTo(0.4375, 12); // 28 of 64 px
  });

  it('batches without augmentation use the validation transform', () => {
    const batch = sampleAugmentationBatch(createRng(1), 2, 32, 32, NO_AUGMENTATION);
    expect([...batch.boxes.slice(0, 4)]).toEqual([0.0625, 0.0625, 0.9375, 0.9375]);
    expect([...batch.colorMatrices.slice(9, 18)]).toEqual(IDENTITY);
    expect([...batch.lightingOffsets]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('each §2.1 step is its own switch', () => {
  const N = 8000;
  const only = (step: keyof PreprocessingSwitches) => ({ ...NO_AUGMENTATION, [step]: true });
  const batchOf = (switches: PreprocessingSwitches) =>
    sampleAugmentationBatch(createRng(5), N, 32, 32, switches);
  const centre = validationBox(32, 32);
  const isCentre = (b: Float32Array, i: number) =>
    [0, 1, 2, 3].every((k) => Math.abs(b[i * 4 + k]! - centre[k]!) < 1e-6);
  const isMirroredCentre = (b: Float32Array, i: number) =>
    [0, 3, 2, 1].every((k, j) => Math.abs(b[i * 4 + j]! - centre[k]!) < 1e-6);
  const identityColour = (m: Float32Array, i: number) =>
    IDENTITY.every((v, k) => m[i * 9 + k] === v);

  it('crop alone: random boxes of area 8%–100%, aspect 3/4–4/3, never mirrored, no colour change', () => {
    const b = batchOf(only('crop'));
    let small = 0;
    for (let i = 0; i < N; i++) {
      const [y1, x1, y2, x2] = b.boxes.subarray(i * 4, i * 4 + 4);
      const w = (x2! - x1!) * 32;
      const h = (y2! - y1!) * 32;
      expect(w).toBeGreaterThan(0);
      const area = (w * h) / 1024;
      expect(area).toBeGreaterThanOrEqual(0.08 - 1e-5);
      expect(area).toBeLessThanOrEqual(1 + 1e-5);
      if (area < 1 - 1e-6) {
        expect(w / h).toBeGreaterThanOrEqual(0.75 - 1e-4);
        expect(w / h).toBeLessThanOrEqual(4 / 3 + 1e-4);
      }
      if (area < 0.5) small++;
      expect(identityColour(b.colorMatrices, i)).toBe(true);
    }
    // Proposals: area ~ U[8%, 100%], log-aspect ~ U[±log 4/3]; on a square image a proposal of
    // area a fits when |log r| ≤ −log a. Accepted mass below ½: 0.42/0.92; above: (0.25 +
    // (0.25 + 0.75·log 0.75)/log(4/3))/0.92; so P(area < ½ | accepted) = 0.532.
    const above = (0.25 + (0.25 + 0.75 * Math.log(0.75)) / Math.log(4 / 3)) / 0.92;
    const expected = 0.42 / 0.92 / (0.42 / 0.92 + above);
    expect(expected).toBeCloseTo(0.532, 3);
    expect(Math.abs(small / N - expected)).toBeLessThan(0.02);
    expect(b.lightingOffsets.every((v) => v === 0)).toBe(true);
  });

  it('flip alone: the centre box, mirrored for half of the images', () => {
    const b = batchOf(only('flip'));
    let flipped = 0;
    for (let i = 0; i < N; i++) {
      if (isMirroredCentre(b.boxes, i)) flipped++;
      else expect(isCentre(b.boxes, i)).toBe(true);
      expect(identityColour(b.colorMatrices, i)).toBe(true);
    }
    expect(flipped / N).toBeGreaterThan(0.48);
    expect(flipped / N).toBeLessThan(0.52);
  });

  it('jitter alone: gray stays gray, scaled by the brightness factor in [0.6, 1.4]', () => {
    const b = batchOf(only('jitter'));
    const scales: number[] = [];
    for (let i = 0; i < N; i++) {
      expect(isCentre(b.boxes, i)).toBe(true);
      const m = b.colorMatrices.subarray(i * 9, i * 9 + 9);
      const out = [0, 1, 2].map((r) => 100 * (m[r * 3]! + m[r * 3 + 1]! + m[r * 3 + 2]!));
      expect(Math.abs(out[0]! - out[1]!)).toBeLessThan(1.5);
      scales.push(out[0]! / 100);
    }
    expect(Math.min(...scales)).toBeGreaterThan(0.59);
    expect(Math.max(...scales)).toBeLessThan(1.41);
    const mean = scales.reduce((a, v) => a + v, 0) / N;
    expect(mean).toBeCloseTo(1, 1);
    expect(b.lightingOffsets.every((v) => v === 0)).toBe(true);
  });

  it('PCA alone: offsets with the covariance of Σ αₖλₖvₖ, α ~ N(0, 0.1)', () => {
    const b = batchOf(only('pca'));
    for (let c = 0; c < 3; c++) {
      const xs = Array.from({ length: N }, (_, i) => b.lightingOffsets[i * 3 + c]!);
      const mean = xs.reduce((a, v) => a + v, 0) / N;
      const std = Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / N);
      const expected = Math.sqrt(
        [0, 1, 2].reduce(
          (a, k) => a + (PCA_EIGENVECTORS[c]![k]! * PCA_EIGENVALUES[k]! * 0.1) ** 2,
          0,
        ),
      );
      expect(Math.abs(mean)).toBeLessThan(0.1);
      expect(std / expected).toBeGreaterThan(0.96);
      expect(std / expected).toBeLessThan(1.04);
    }
    for (let i = 0; i < 50; i++) {
      expect(isCentre(b.boxes, i)).toBe(true);
      expect(identityColour(b.colorMatrices, i)).toBe(true);
    }
  });

  it('switching one step off leaves the draws of the others unchanged', () => {
    const all = { crop: true, flip: true, jitter: true, pca: true };
    const full = batchOf(all);
    const noJitter = batchOf({ ...all, jitter: false });
    expect(Array.from(noJitter.boxes)).toEqual(Array.from(full.boxes));
    expect(Array.from(noJitter.lightingOffsets)).toEqual(Array.from(full.lightingOffsets));
  });
});

/** NTSC RGB → YIQ, typed from the standard (not the module's matrix). */
function toYiq([r, g, b]: number[]): [number, number, number] {
  return [
    0.299 * r! + 0.587 * g! + 0.114 * b!,
    0.596 * r! - 0.274 * g! - 0.322 * b!,
    0.211 * r! - 0.523 * g! + 0.312 * b!,
  ];
}

/** How far a colour matrix turns the chroma (I, Q) of `rgb`, in degrees. */
function chromaTurn(m: Matrix3, rgb: number[]): number {
  const [, i0, q0] = toYiq(rgb);
  const [, i1, q1] = toYiq(apply(m, rgb));
  const turn = ((Math.atan2(q1, i1) - Math.atan2(q0, i0)) * 180) / Math.PI;
  return ((turn + 540) % 360) - 180;
}

describe('hue jitter: a chroma rotation of at most ±72°', () => {
  const colour = [200, 80, 40];

  it('factor f turns the hue by (f − 1) × 180°: 0.6 → −72°, 1.2 → +36°, 1.4 → +72°', () => {
    expect(chromaTurn(hueMatrix(0.6), colour)).toBeCloseTo(-72, 0);
    expect(chromaTurn(hueMatrix(1.2), colour)).toBeCloseTo(36, 0);
    expect(chromaTurn(hueMatrix(1.4), colour)).toBeCloseTo(72, 0);
    // Luma and chroma length stay (a rotation, not a scaling).
    const [y0, i0, q0] = toYiq(colour);
    const [y1, i1, q1] = toYiq(apply(hueMatrix(1.4), colour));
    expect(y1).toBeCloseTo(y0, 0);
    expect(Math.hypot(i1, q1) / Math.hypot(i0, q0)).toBeCloseTo(1, 2);
  });

  it('the drawn jitter turns hues within ±72° and reaches both ends', () => {
    const rng = createRng(5);
    const turns = Array.from({ length: 5000 }, () =>
      chromaTurn(sampleAugmentation(rng, 32, 32).colorMatrix, colour),
    );
    expect(Math.max(...turns)).toBeLessThan(72.5);
    expect(Math.min(...turns)).toBeGreaterThan(-72.5);
    expect(Math.max(...turns)).toBeGreaterThan(70);
    expect(Math.min(...turns)).toBeLessThan(-70);
  });
});

describe('normalization and PCA constants, typed from the sources', () => {
  it('normalizes by the paper’s mean and std (§2.1 step 6)', () => {
    expect([...NORMALIZE_MEAN]).toEqual([123.68, 116.779, 103.939]);
    expect([...NORMALIZE_STD]).toEqual([58.393, 57.12, 57.375]);
  });

  it('the eigenvalues are AlexNet’s (0.2175, 0.0188, 0.0045 on [0, 1] pixels) × 255', () => {
    [0.2175, 0.0188, 0.0045].forEach((v, k) => {
      expect(PCA_EIGENVALUES[k]! / 255).toBeCloseTo(v, 4);
    });
  });

  it('eigenvectors (columns) are orthonormal and V·diag(λ)·Vᵀ is the ImageNet RGB covariance', () => {
    // The covariance of ImageNet RGB (pixels in [0, 255]) that AlexNet's decomposition factors.
    const covariance = [
      [20.5254, 17.8897, 16.1658],
      [17.8897, 19.469, 18.4207],
      [16.1658, 18.4207, 21.4061],
    ];
    const V = PCA_EIGENVECTORS;
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        let product = 0;
        let gram = 0;
        for (let k = 0; k < 3; k++) {
          product += V[r]![k]! * PCA_EIGENVALUES[k]! * V[c]![k]!;
          gram += V[k]![r]! * V[k]![c]!;
        }
        expect(product).toBeCloseTo(covariance[r]![c]!, 2);
        expect(gram).toBeCloseTo(r === c ? 1 : 0, 3);
      }
    }
    // Each column is an eigenvector of that covariance: C·v = λ·v.
    for (let k = 0; k < 3; k++) {
      for (let r = 0; r < 3; r++) {
        const cv = [0, 1, 2].reduce((a, j) => a + covariance[r]![j]! * V[j]![k]!, 0);
        expect(cv).toBeCloseTo(PCA_EIGENVALUES[k]! * V[r]![k]!, 2);
      }
    }
  });
});
