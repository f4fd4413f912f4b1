import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseQuery } from '../config';
import { formatRace, parseRace, raceSettingsProblem, withAndWithout } from './race';

const base = { ...DEFAULT_CONFIG };

describe('race with / without a trick', () => {
  it('label smoothing off: races ε = 0.1 (the paper’s) against ε = 0, all else equal', () => {
    const racers = withAndWithout({ ...base, label_smoothing: 0 }, 'label_smoothing')!;
    expect(racers.map((r) => r.label)).toEqual(['label smoothing 0.1', 'no label smoothing']);
    expect(racers.map((r) => r.config.label_smoothing)).toEqual([0.1, 0]);
    expect({ ...racers[0]!.config, label_smoothing: 0 }).toEqual(racers[1]!.config);
  });

  it('a trick already on keeps its value: mixup 0.4 against no mixup', () => {
    const racers = withAndWithout({ ...base, mixup: 0.4 }, 'mixup')!;
    expect(racers.map((r) => r.config.mixup)).toEqual([0.4, 0]);
  });

  it('cosine decay: on and off', () => {
    const racers = withAndWithout(base, 'cosine')!;
    expect(racers.map((r) => r.label)).toEqual(['cosine decay', 'no cosine decay']);
  });

  it('distillation without a chosen teacher cannot race', () => {
    expect(withAndWithout({ ...base, distill: '' }, 'distill')).toBeNull();
  });

  it('every racer trains once (repeats 1) and does not autorun', () => {
    const racers = withAndWithout({ ...base, repeats: 3, autorun: true }, 'cosine')!;
    expect(racers.every((r) => r.config.repeats === 1 && !r.config.autorun)).toBe(true);
  });
});

describe('race links', () => {
  it('writes each racer’s values where the racers differ', () => {
    const a = { ...base, cosine: true, label_smoothing: 0.1 };
    const b = { ...base, cosine: false, label_smoothing: 0.1 };
    const c = { ...base, cosine: false, label_smoothing: 0 };
    expect(formatRace([a, b, c])).toBe(
      'cosine:1,label_smoothing:0.1;cosine:0,label_smoothing:0.1;cosine:0,label_smoothing:0',
    );
  });

  it('round-trips: the parsed racers are the configs that were written', () => {
    const a = { ...base, mixup: 0.2, epochs: 4 };
    const b = { ...base, mixup: 0, epochs: 4 };
    const { racers, ignored } = parseRace(formatRace([a, b]), { ...base, epochs: 4 });
    expect(ignored).toEqual([]);
    expect(racers!.map((r) => r.config)).toEqual([
      { ...a, repeats: 1, autorun: false },
      { ...b, repeats: 1, autorun: false },
    ]);
    expect(racers!.map((r) => r.label)).toEqual(['mixup 0.2', 'no mixup']);
  });

  it('an unknown key or a bad value is ignored with its reason; the rest of the racer stays', () => {
    const { racers, ignored } = parseRace('cosine:1,bogus:3;cosine:0,mixup:abc', base);
    expect(racers!.map((r) => r.config.cosine)).toEqual([true, false]);
    expect(ignored.map((i) => i.reason)).toEqual([
      '"bogus" is not a setting',
      expect.stringMatching(/^mixup /),
    ]);
  });

  it('one racer, or racers on different seeds, is no race', () => {
    expect(parseRace('cosine:1', base).racers).toBeNull();
    const seeds = parseRace('seed:1;seed:2', base);
    expect(seeds.racers).toBeNull();
    expect(seeds.ignored[0]!.reason).toMatch(/^Racers share the data and the seed: Seed/);
  });

  it('five racers are refused', () => {
    expect(raceSettingsProblem(Array(5).fill(base))).toMatch(/2 to 4 racers \(this one has 5\)/);
  });

  it('the page’s own query codec leaves the race key alone', () => {
    expect(parseQuery('race=cosine:1;cosine:0&epochs=3').ignored).toEqual([]);
  });
});
