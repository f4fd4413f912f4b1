import { describe, expect, it } from 'vitest';
import { builtInDataset } from './built-in';
import {
  generateSegmentationScenes,
  labelMapOf,
  largestObjectLabel,
  maskAt,
  sceneDataset,
  shapeSdfAt,
  type SceneShape,
} from './synthetic-scenes';

const CIRCLE = 0;
const SQUARE = 1;

function shape(classIndex: number, cx: number, cy: number, radius: number, angle = 0): SceneShape {
  return { classIndex, cx, cy, radius, angle, color: [200, 40, 40] };
}

describe('scene masks from hand-placed shapes', () => {
  // Circle r 6 at (10, 10); square r 5 (half side 0.8 · 5 = 4) at (16, 10): x, y in (12, 20) × (6, 14).
  const circle = shape(CIRCLE, 10, 10, 6);
  const square = shape(SQUARE, 16, 10, 5);

  it('measures signed distance in image coordinates', () => {
    // (13, 14) is 5 from the circle centre: 5 − 6 = −1.
    expect(shapeSdfAt(circle, 13, 14)).toBeCloseTo(-1, 12);
    // (21, 10) is 5 right of the square centre, 1 past its edge at 4.
    expect(shapeSdfAt(square, 21, 10)).toBeCloseTo(1, 12);
  });

  it('labels each pixel by the topmost shape containing its centre', () => {
    const shapes = [circle, square];
    // (13, 10), centre (13.5, 10.5): circle |d| = hypot(3.5, 0.5) = 3.54 < 6, square |dx| = 2.5 < 4:
    // both cover it; the square is on top.
    expect(maskAt(shapes, 13, 10)).toBe(2);
    expect(maskAt([square, circle], 13, 10)).toBe(1);
    // (8, 10), centre (8.5, 10.5): circle hypot(1.5, 0.5) = 1.58 < 6; square |dx| = 7.5 > 4.
    expect(maskAt(shapes, 8, 10)).toBe(1);
    // (19, 13), centre (19.5, 13.5): square |dx| = |dy| = 3.5 < 4; circle hypot(9.5, 3.5) = 10.1.
    expect(maskAt(shapes, 19, 13)).toBe(2);
    // (20, 10), centre (20.5, 10.5): square |dx| = 4.5 > 4; circle 10.5 > 6. Background.
    expect(maskAt(shapes, 20, 10)).toBe(0);
    expect(maskAt(shapes, 0, 0)).toBe(0);
  });

  it('rotates the shape frame by the shape angle', () => {
    // Square half side 4 at (24, 24) turned 45°. (28, 23), centre offset (4.5, −0.5): in the
    // shape frame (4.5 − 0.5, −4.5 − 0.5)/√2 = (2.83, −3.54), inside; unrotated |dx| = 4.5 > 4.
    const turned = shape(SQUARE, 24, 24, 5, Math.PI / 4);
    expect(maskAt([turned], 28, 23)).toBe(2);
    expect(maskAt([shape(SQUARE, 24, 24, 5)], 28, 23)).toBe(0);
    // (29, 24), offset (5.5, 0.5): frame (6, −5)/√2 = (4.24, −3.54), outside.
    expect(maskAt([turned], 29, 24)).toBe(0);
  });

  it('draws a circle of radius 2 as a 4×4 block without its corners', () => {
    // Centres at offsets ±0.5, ±1.5 from (4, 4): 0.5² + 1.5² = 2.5 < 4 in, 1.5² + 1.5² = 4.5 out.
    // prettier-ignore
    expect([...labelMapOf([shape(CIRCLE, 4, 4, 2)], 8)]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 1, 1, 0, 0, 0,
      0, 0, 1, 1, 1, 1, 0, 0,
      0, 0, 1, 1, 1, 1, 0, 0,
      0, 0, 0, 1, 1, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });
});

// Inside tests written from the shape definitions, independent of the module's SDFs.
function insideByHand(s: SceneShape, px: number, py: number): boolean {
  const dx = px - s.cx;
  const dy = py - s.cy;
  if (s.classIndex === CIRCLE) return dx * dx + dy * dy < s.radius * s.radius;
  // Square: |local x|, |local y| < 0.8 r in the frame turned by the shape angle.
  const c = Math.cos(s.angle);
  const n = Math.sin(s.angle);
  const half = 0.8 * s.radius;
  return Math.abs(c * dx + n * dy) < half && Math.abs(-n * dx + c * dy) < half;
}

// Element by element: toEqual on 300 kB typed arrays costs seconds.
function same(x: Uint8Array, y: Uint8Array): boolean {
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

describe('generated scenes', () => {
  const size = 32;
  const a = generateSegmentationScenes({ seed: 7, trainSize: 300, valSize: 20 });

  it('has images in the classification layout and a mask per image', () => {
    expect(a.height).toBe(32);
    expect(a.classNames).toHaveLength(11);
    expect(a.classNames[0]).toBe('background');
    expect(a.classNames[1]).toBe('circle');
    expect(a.classNames[10]).toBe('dots');
    expect(a.train.images.length).toBe(300 * 32 * 32 * 3);
    expect(a.train.masks.length).toBe(300 * 32 * 32);
    expect(a.val.count).toBe(20);
    const big = generateSegmentationScenes({ seed: 7, trainSize: 2, valSize: 1, size: 48 });
    expect(big.train.masks.length).toBe(2 * 48 * 48);
    expect(big.val.images.length).toBe(48 * 48 * 3);
  });

  it('is a deterministic function of the seed with a fixed validation split', () => {
    // The train stream draws scene by scene, so a shorter split is a prefix of a longer one.
    const again = generateSegmentationScenes({ seed: 7, trainSize: 40, valSize: 20 });
    expect(same(again.train.images, a.train.images.subarray(0, 40 * size * size * 3))).toBe(true);
    expect(same(again.train.masks, a.train.masks.subarray(0, 40 * size * size))).toBe(true);
    expect(again.train.shapes).toEqual(a.train.shapes.slice(0, 40));
    expect(same(again.val.images, a.val.images)).toBe(true);
    expect(same(again.val.masks, a.val.masks)).toBe(true);
    const other = generateSegmentationScenes({ seed: 8, trainSize: 40, valSize: 1 });
    expect(same(other.train.masks, again.train.masks)).toBe(false);
    expect(same(other.train.images, again.train.images)).toBe(false);
  });

  it('holds 1–4 shapes of every class, and its masks are the shapes’ label maps', () => {
    const counts = new Set<number>();
    const classes = new Set<number>();
    for (let i = 0; i < a.train.count; i++) {
      const shapes = a.train.shapes[i]!;
      counts.add(shapes.length);
      for (const s of shapes) classes.add(s.classIndex);
      const mask = a.train.masks.subarray(i * size * size, (i + 1) * size * size);
      expect(same(mask, labelMapOf(shapes, size))).toBe(true);
    }
    expect([...counts].sort()).toEqual([1, 2, 3, 4]);
    expect(classes.size).toBe(10);
    expect(a.train.masks.reduce((m, v) => Math.max(m, v), 0)).toBe(10);
  });

  it('gives an overlap pixel to the topmost shape and paints it in that shape’s colour', () => {
    // Find a scene whose top shape is a circle or square overlapping an earlier circle or square
    // of the other class, and a pixel inside both by the hand test above.
    let checked = 0;
    let painted = 0;
    for (let i = 0; i < a.train.count && painted < 5; i++) {
      const shapes = a.train.shapes[i]!;
      const top = shapes[shapes.length - 1]!;
      if (top.classIndex !== CIRCLE && top.classIndex !== SQUARE) continue;
      const under = shapes.slice(0, -1).find((s) => s.classIndex === 1 - top.classIndex);
      if (!under) continue;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          if (!insideByHand(top, x + 0.5, y + 0.5) || !insideByHand(under, x + 0.5, y + 0.5)) {
            continue;
          }
          const p = i * size * size + y * size + x;
          expect(a.train.masks[p]).toBe(top.classIndex + 1);
          // Fully covered when the top shape's hand test also holds 1 px in from the pixel
          // centre in every direction; then only the noise (σ ≤ 8) separates pixel and colour.
          const deep = [-1, 1].every(
            (e) =>
              insideByHand(top, x + 0.5 + e, y + 0.5) && insideByHand(top, x + 0.5, y + 0.5 + e),
          );
          if (deep) {
            for (let c = 0; c < 3; c++) {
              expect(Math.abs(a.train.images[p * 3 + c]! - top.color[c]!)).toBeLessThan(40);
            }
            painted++;
          }
          checked++;
        }
      }
    }
    expect(painted).toBeGreaterThanOrEqual(5);
    expect(checked).toBeGreaterThan(painted);
  });

  it('labels a pixel far from every shape as background', () => {
    // Every class's inside lies within 1.28 r of its centre (the farthest point is the corner of
    // the bars' outer box, hypot(r, 0.62 r + 0.17 r) = 1.27 r), so a pixel centre farther than
    // 1.3 r from every shape centre is background.
    let checked = 0;
    for (let i = 0; i < 20; i++) {
      const shapes = a.train.shapes[i]!;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const far = shapes.every(
            (s) => Math.hypot(x + 0.5 - s.cx, y + 0.5 - s.cy) > 1.3 * s.radius,
          );
          if (!far) continue;
          expect(a.train.masks[i * size * size + y * size + x]).toBe(0);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('the scenes as a training dataset', () => {
  it('largestObjectLabel: the commonest label other than background, the lower on a tie', () => {
    expect(largestObjectLabel(Uint8Array.of(0, 0, 0, 3, 3, 5), 11)).toBe(3);
    expect(largestObjectLabel(Uint8Array.of(0, 7, 7, 2, 2), 11)).toBe(2);
    expect(largestObjectLabel(Uint8Array.of(0, 0), 11)).toBe(0);
  });

  it('sceneDataset keeps the masks and labels each image by its largest object', () => {
    const d = sceneDataset({ seed: 3, trainSize: 5, valSize: 2 });
    const scenes = generateSegmentationScenes({ seed: 3, trainSize: 5, valSize: 2 });
    expect(d.name).toBe('synthetic-scenes');
    expect(d.train.masks).toEqual(scenes.train.masks);
    expect(d.val.images).toEqual(scenes.val.images);
    for (let i = 0; i < 5; i++) {
      const mask = scenes.train.masks.subarray(i * 1024, (i + 1) * 1024);
      expect(d.train.labels[i]).toBe(largestObjectLabel(mask, 11));
    }
  });

  it('builtInDataset: the shapes for classification, the scenes for segmentation', () => {
    const config = { seed: 1, train_size: 4, val_size: 2 };
    expect(builtInDataset({ ...config, task: 'classify' }).name).toBe('synthetic');
    expect(builtInDataset({ ...config, task: 'classify' }).train.masks).toBeUndefined();
    expect(builtInDataset({ ...config, task: 'segment' }).train.masks).toHaveLength(4 * 1024);
  });
});
