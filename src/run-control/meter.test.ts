import { describe, expect, it } from 'vitest';
import { createThroughputMeter, SPEED_WINDOW_MS } from './meter';

/** A meter on a clock the test moves by hand (milliseconds). */
function meterAt(elapsedBefore = 0) {
  let time = 0;
  const meter = createThroughputMeter({
    batch: 32,
    epochs: 10,
    stepsPerEpoch: 10,
    totalSteps: 100,
    elapsedBefore,
    now: () => time,
  });
  return { meter, at: (ms: number) => (time = ms) };
}

describe('throughput meter', () => {
  it('images/s over the window, ETA from the steps left, elapsed time from the start', () => {
    const { meter, at } = meterAt(5);
    at(500);
    // Warm-up: nothing trained yet, the time before this trainer only.
    expect(meter.elapsedSeconds()).toBe(5);
    at(1000);
    meter.start();
    at(3000);
    meter.restart(1); // the first step (mostly compiling) is left out of the speed
    at(5000);
    // 10 steps × 32 images in 2 s = 160 images/s; 89 steps × 32 images left at 160/s = 17.8 s.
    const p = meter.progress(2, 11);
    expect(p).toEqual({
      epoch: 2,
      epochs: 10,
      step: 11,
      stepsPerEpoch: 10,
      totalSteps: 100,
      imagesPerSecond: 160,
      etaSeconds: 17.8,
      elapsedSeconds: 5 + 4,
    });
  });

  it('leaves pauses out of the elapsed time and restarts the window after them', () => {
    const { meter, at } = meterAt();
    at(1000);
    meter.start();
    meter.restart(0);
    at(2000);
    expect(meter.progress(1, 10).imagesPerSecond).toBe(320);
    at(6000);
    meter.pauseStarted();
    at(16_000);
    meter.pauseEnded();
    at(17_000);
    // A window of one sample has no rate yet, hence no ETA.
    const first = meter.progress(2, 20);
    expect(first.imagesPerSecond).toBe(0);
    expect(first.etaSeconds).toBe(0);
    // 16 s since the start, 10 of them paused.
    expect(first.elapsedSeconds).toBe(6);
    at(19_000);
    const second = meter.progress(3, 30);
    expect(second.imagesPerSecond).toBe(160); // 10 steps × 32 in 2 s, the pause not counted
    expect(second.etaSeconds).toBe(14); // 70 × 32 / 160
    expect(second.elapsedSeconds).toBe(8);
  });

  it('keeps the last sample before the window, so slow steps still get a rate', () => {
    const { meter, at } = meterAt();
    meter.start();
    at(1000);
    meter.restart(0);
    at(2000);
    meter.progress(1, 10);
    at(2000 + SPEED_WINDOW_MS + 2000);
    // Samples at 1 s, 2 s and 14 s: the one at 1 s is dropped (the one at 2 s is older than the
    // window but is the last before it): 10 steps × 32 images in 12 s.
    expect(meter.progress(2, 20).imagesPerSecond).toBeCloseTo(320 / 12, 10);
  });

  it('an evaluation restarts the window: images/s counts training only', () => {
    const { meter, at } = meterAt();
    meter.start();
    meter.restart(0);
    at(1000);
    expect(meter.progress(1, 10).imagesPerSecond).toBe(320);
    at(61_000); // a minute of evaluation
    meter.restart(10);
    at(62_000);
    expect(meter.progress(2, 20).imagesPerSecond).toBe(320);
  });
});
