import { describe, expect, it } from 'vitest';
import { parseDecimal } from './number-text';

describe('numbers written as text', () => {
  it.each([
    ['0.25', 0.25],
    [' 128 ', 128],
    ['1e-4', 0.0001],
    ['-3', -3],
    ['.5', 0.5],
    ['5.', 5],
  ])('%j is %d', (text, value) => {
    expect(parseDecimal(text)).toBe(value);
  });

  it.each(['', ' ', '0x10', 'Infinity', 'NaN', '1,5', '12abc', 'abc', '1e', '--1'])(
    '%j is not a number',
    (text) => {
      expect(parseDecimal(text)).toBeNull();
    },
  );
});
