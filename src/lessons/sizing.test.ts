import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import type { ExperimentConfig } from '../config/params';
import { lessonById, type Lesson } from './catalog';
import {
  estimateImagesPerSecond,
  estimateSeconds,
  groupThousands,
  macsPerImage,
  planLesson,
  roundedDuration,
  sizeLesson,
  type Throughput,
  type ThroughputConfig,
} from './sizing';

const lesson = (id: string): Lesson => lessonById(id)!;
const base: ExperimentConfig = { ...DEFAULT_CONFIG, model: 'resnet18', seed: 1, repeats: 1 };

/** 1000 images/s at ResNet-18, batch 128, FP32. */
const measured: Throughput = {
  imagesPerSecond: 1000,
  config: { model: 'resnet18', width: 0.25, input: 32, batch: 128, fp16: false },
};
/** Every network costs the same: the sizing reduces to images and epochs. */
const flatMacs = () => 1e6;

describe('macsPerImage', () => {
  it('counts ResNet-18 at width 0.25 and 32 px by hand', () => {
    // Small stem 3×3 3→16 @32²: 9·3·16·1024 = 442,368. Stage 1: four 3×3 16→16 @32²,
    // 4·9·16·16·1024 = 9,437,184. Stages 2–4 each: strided 3×3 (1,179,648) + 3×3 (2,359,296)
    // + 1×1 shortcut (131,072) + a second block of two 3×3 (4,718,592) = 8,388,608; three of
    // them 25,165,824. FC 128·10 = 1,280. Sum: 35,046,656.
    expect(
      macsPerImage({ model: 'resnet18', width: 0.25, input: 32, batch: 128, fp16: false }),
    ).toBe(35_046_656);
  });
});

describe('estimateImagesPerSecond', () => {
  const macs = (c: ThroughputConfig) => (c.model === 'resnet34' ? 4e6 : 2e6);
  const at = (over: Partial<ThroughputConfig>): ThroughputConfig => ({
    ...measured.config,
    ...over,
  });
  const m: Throughput = { imagesPerSecond: 1000, config: at({}) };

  it('divides by the multiply-add ratio and keeps the step time of a smaller batch', () => {
    // 1000 × 2e6/4e6 × 32/128 = 125.
    expect(estimateImagesPerSecond(m, at({ model: 'resnet34', batch: 32 }), macs)).toBe(125);
  });

  it('keeps the images/s of a larger batch', () => {
    expect(estimateImagesPerSecond(m, at({ batch: 512 }), macs)).toBe(1000);
  });

  it('halves FP32 sized from FP16, and gives FP16 sized from FP32 no gain', () => {
    const fromFp16: Throughput = { imagesPerSecond: 1000, config: at({ fp16: true }) };
    expect(estimateImagesPerSecond(fromFp16, at({ fp16: false }), macs)).toBe(500);
    expect(estimateImagesPerSecond(m, at({ fp16: true }), macs)).toBe(1000);
  });

  it('adds the multiply-adds a step runs besides the model (a teacher)', () => {
    // 1000 × 2e6 / (2e6 + 2e6) = 500.
    expect(estimateImagesPerSecond(m, at({}), macs, 2e6)).toBe(500);
  });

  it('scales with the real architecture: 64 px costs 4× 32 px with the small stem', () => {
    // Every conv output doubles in both sides; only the FC's 1,280 MACs stay, so the ratio is
    // 35,046,656 / (4 · 35,045,376 + 1,280) = 0.2500069: 250.007 images/s.
    const small: Throughput = { imagesPerSecond: 1000, config: at({ stem: 'small' }) };
    expect(estimateImagesPerSecond(small, at({ stem: 'small', input: 64 }))).toBeCloseTo(
      250.007,
      3,
    );
  });
});

describe('sizeLesson', () => {
  const options = { macsOf: flatMacs, startupSecondsPerRun: 0 };

  it('takes the roomiest width that fits, then the most images', () => {
    // FP16 lesson: 2 racers × 4 epochs × (N + N/2/3) images at 1000/s = 8 · (7N/6) / 1000 s.
    // Width 0.5 needs N ≥ 10,000: 93.3 s ≤ 120. The largest N: 7N/750 ≤ 120 → N ≤ 12,857 →
    // 12,800 (multiples of 100), 6,400 validation images: 8 · 14,933.3 / 1000 = 119.47 s.
    const s = sizeLesson(lesson('fp16'), base, measured, options);
    expect(s.size).toEqual({ width: 0.5, train_size: 12800, val_size: 6400, epochs: 4 });
    expect(s.estimatedSeconds).toBeCloseTo(119.4667, 3);
    expect(s.fits).toBe(true);
    expect(s.measured).toBe(true);
    expect(s.sentence).toBe(
      'ResNet-18 width 0.5, 12,800 images, 4 epochs, 2 runs one after another: ≈ 2 min on this GPU.',
    );
  });

  it('trains the most images for longer on a fast GPU', () => {
    // 10,000/s: 20,000 images (10,000 validation) take 2 · E · 23,333/10,000 = 4.667·E s.
    // E may grow to 3 · 4 = 12 (56 s) before the 120 s budget (E = 25) stops it.
    const fast = { ...measured, imagesPerSecond: 10000 };
    const s = sizeLesson(lesson('fp16'), base, fast, options);
    expect(s.size).toEqual({ width: 0.5, train_size: 20000, val_size: 10000, epochs: 12 });
    expect(s.estimatedSeconds).toBeCloseTo(56, 6);
  });

  it('skips widths whose racers do not fit in a race’s memory together', () => {
    // ResNet-152's four ResNet-D racers need more than a race's 2 GiB even at width 0.0625.
    const s = sizeLesson(lesson('resnet-d'), { ...base, model: 'resnet152' }, measured, options);
    expect(s.memoryProblem).toMatch(/more than the 2048 MB a race may use/);
    expect(s.sentence).toContain(
      'Even at width 0.0625 the race cannot start. This race needs about',
    );
    // ResNet-18 lessons race ResNet-26 here, too large for four racers at width 0.5.
    const r26 = sizeLesson(
      lesson('resnet-d'),
      base,
      { ...measured, imagesPerSecond: 1e6 },
      options,
    );
    expect(r26.memoryProblem).toBeNull();
    expect(r26.size.width).toBeLessThan(0.5);
  });

  it('goes down a width when the budget is smaller', () => {
    // 60 s: width 0.5 at 10,000 images takes 93.3 s. Width 0.25: N ≤ 60 · 750/7 = 6,428 → 6,400.
    const s = sizeLesson(lesson('fp16'), base, measured, { ...options, budgetSeconds: 60 });
    expect(s.size).toEqual({ width: 0.25, train_size: 6400, val_size: 3200, epochs: 4 });
    expect(s.estimatedSeconds).toBeCloseTo(59.7333, 3);
    expect(s.sentence).toBe(
      'ResNet-18 width 0.25, 6,400 images, 4 epochs, 2 runs one after another: ≈ 1 min on this GPU.',
    );
  });

  it('splits the budget among the seeds', () => {
    // Two seeds of 60 s each: the 60 s sizing above, twice.
    const s = sizeLesson(lesson('fp16'), { ...base, repeats: 2 }, measured, options);
    expect(s.size.train_size).toBe(6400);
    expect(s.estimatedSeconds).toBeCloseTo(119.4667, 3);
    expect(s.sentence).toContain('2 runs one after another, 2 seeds: ≈ 2 min');
  });

  it('cuts epochs on a slow GPU before giving up', () => {
    // 40 images/s. Width 0.0625, 500 images (500 validation): 2 · E · 666.7/40 s: 133 s at
    // E = 4, 100 s at E = 3. At E = 3: N + 500/3 ≤ 800 → N = 600: 6 · 766.7/40 = 115 s.
    const slow = { ...measured, imagesPerSecond: 40 };
    const s = sizeLesson(lesson('fp16'), base, slow, options);
    expect(s.size).toEqual({ width: 0.0625, train_size: 600, val_size: 500, epochs: 3 });
    expect(s.estimatedSeconds).toBeCloseTo(115, 6);
    expect(s.fits).toBe(true);
  });

  it('says so when even the smallest lesson is over budget', () => {
    // 10 images/s, width 0.0625, 500 + 500 images, 2 epochs: 2 · 2 · 666.7/10 = 266.7 s.
    const s = sizeLesson(lesson('fp16'), base, { ...measured, imagesPerSecond: 10 }, options);
    expect(s.size).toEqual({ width: 0.0625, train_size: 500, val_size: 500, epochs: 2 });
    expect(s.estimatedSeconds).toBeCloseTo(266.667, 2);
    expect(s.fits).toBe(false);
    expect(s.sentence).toBe(
      'ResNet-18 width 0.0625, 500 images, 2 epochs, 2 runs one after another: ≈ 4 min 30 s on this GPU, over the 2 min budget even at the smallest size.',
    );
  });

  it('counts the teacher run and its forward pass in the distilled racer', () => {
    // Teacher ResNet-34 at 2e6 MACs (500/s), student 1e6 (1000/s), distilled student
    // 1e6 + 2e6/3 (600/s); 8 epochs of N + N/6 images: 8 · 7N/6 · (1/1000 + 1/600 + 1/500)
    // = 8 · 7N/6 · 7/1500. Width 0.5 at 10,000: 435.6 s. Width 0.25: N ≤ 2,755 → 2,700,
    // 1,350 validation images: 8 · 3,150 · 7/1500 = 117.6 s.
    const macs = (c: ThroughputConfig) => (c.model === 'resnet34' ? 2e6 : 1e6);
    const s = sizeLesson(lesson('distillation'), base, measured, {
      macsOf: macs,
      startupSecondsPerRun: 0,
    });
    expect(s.size).toEqual({ width: 0.25, train_size: 2700, val_size: 1350, epochs: 8 });
    expect(s.estimatedSeconds).toBeCloseTo(117.6, 6);
    expect(s.sentence).toBe(
      'ResNet-18 width 0.25, 2,700 images, 8 epochs, 2 racers, a ResNet-34 teacher first: ≈ 2 min on this GPU.',
    );
  });

  it('trains the teacher once, then races every seed', () => {
    // As above with 2 seeds: 8 · 7N/6 · (1/500 + 2 · (1/1000 + 1/600)) = 8 · 7N/6 · 11/1500.
    // Width 0.25 needs 2,000: N ≤ 1,753. Width 0.125: 1,700 images, 850 validation:
    // 8 · 1,983.3 · 11/1500 = 116.36 s.
    const macs = (c: ThroughputConfig) => (c.model === 'resnet34' ? 2e6 : 1e6);
    const s = sizeLesson(lesson('distillation'), { ...base, repeats: 2 }, measured, {
      macsOf: macs,
      startupSecondsPerRun: 0,
    });
    expect(s.size).toEqual({ width: 0.125, train_size: 1700, val_size: 850, epochs: 8 });
    expect(s.estimatedSeconds).toBeCloseTo(116.3556, 3);
  });

  it('adds the startup of every run', () => {
    // The 60 s case above with 5 s per run: 2 racers leave 50 s: N ≤ 50 · 750/7 = 5,357 → 5,300.
    const s = sizeLesson(lesson('fp16'), base, measured, {
      ...options,
      budgetSeconds: 60,
      startupSecondsPerRun: 5,
    });
    expect(s.size.train_size).toBe(5300);
    expect(s.size.width).toBe(0.25);
  });

  it('says plainly when the sizing is a guess', () => {
    const guess = sizeLesson(lesson('fp16'), base, null, options);
    expect(guess.measured).toBe(false);
    expect(guess.sentence).not.toContain('on this GPU');
    expect(guess.sentence).toContain(
      'This sizing is a guess for a slow GPU until the page has measured this one',
    );
    // The guess is the 200 images/s slow GPU the docs name.
    const slowGpu = sizeLesson(
      lesson('fp16'),
      base,
      { ...measured, imagesPerSecond: 200 },
      options,
    );
    expect(guess.size).toEqual(slowGpu.size);
  });

  it('keeps every value within the parameter table', () => {
    for (const ips of [1, 50, 200, 1000, 1e5]) {
      const plan = planLesson(lesson('resnet-d'), base, { ...measured, imagesPerSecond: ips });
      for (const r of plan.racers) {
        expect(r.config.width % 0.0625).toBe(0);
        expect(r.config.train_size).toBeGreaterThanOrEqual(500);
        expect(r.config.train_size).toBeLessThanOrEqual(20000);
        expect(r.config.val_size).toBeLessThanOrEqual(10000);
        expect(r.config.epochs).toBeGreaterThanOrEqual(3);
        expect(r.config.warmup).toBeLessThan(r.config.epochs);
      }
    }
  });
});

describe('formatting', () => {
  it('groups thousands', () => {
    expect(groupThousands(500)).toBe('500');
    expect(groupThousands(2000)).toBe('2,000');
    expect(groupThousands(12800)).toBe('12,800');
  });

  it('rounds durations to 5 s below a minute, 10 s above', () => {
    expect(roundedDuration(43)).toBe('45 s');
    expect(roundedDuration(1)).toBe('5 s');
    expect(roundedDuration(59)).toBe('1 min');
    expect(roundedDuration(112)).toBe('1 min 50 s');
    expect(roundedDuration(119.5)).toBe('2 min');
    expect(roundedDuration(266.7)).toBe('4 min 30 s');
  });
});

describe('the measured warm-up', () => {
  it('adds what the measuring run spent beyond the per-run startup once, for the plan’s first run', () => {
    const lesson = lessonById('cosine')!;
    const base = { ...DEFAULT_CONFIG };
    const size = { width: 0.25, train_size: 1000, val_size: 300, epochs: 2 };
    const measured = { imagesPerSecond: 1000, config: base };
    const without = estimateSeconds(lesson, base, size, measured);
    const withWarmUp = estimateSeconds(lesson, base, size, { ...measured, warmupSeconds: 20 });
    // 20 s measured − 5 s already counted per run = 15 s more, once.
    expect(withWarmUp - without).toBeCloseTo(15, 9);
    expect(estimateSeconds(lesson, base, size, { ...measured, warmupSeconds: 3 })).toBe(without);
  });
});
