import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config';
import { trainingMemoryOf } from './memory';
import { raceProblem } from './race-memory';

const config = { ...DEFAULT_CONFIG, model: 'resnet18' as const, width: 0.25, batch: 32 };
const bytes = trainingMemoryOf(config)!.totalBytes;

describe('race memory pre-flight', () => {
  it('refuses one racer and five racers', () => {
    expect(raceProblem([config], undefined)).toMatch(/2 to 4 racers \(this one has 1\)/);
    expect(raceProblem(Array(5).fill(config), undefined)).toMatch(/this one has 5/);
  });

  it('accepts two racers whose estimates sum to exactly the budget', () => {
    expect(raceProblem([config, config], undefined, 2 * bytes)).toBeNull();
  });

  it('refuses two racers whose estimates sum to one byte over the budget, naming each estimate', () => {
    const problem = raceProblem([config, config], undefined, 2 * bytes - 1);
    const mb = `${(bytes / 2 ** 20).toFixed(0)} MB`;
    expect(problem).toContain(`(${mb} + ${mb})`);
    expect(problem).toMatch(/more than the/);
  });

  it('names the racer whose largest activation exceeds the buffer limit', () => {
    const largest = trainingMemoryOf(config)!.largestTensorBytes;
    expect(raceProblem([config, config], largest - 1)).toMatch(/^Racer 1: The largest activation/);
  });
});
