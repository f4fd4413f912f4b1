import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PARAM_KEYS, PARAMS } from './params';

describe('README URL table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('documents every URL parameter with its default', () => {
    for (const key of PARAM_KEYS) {
      const cells = readme
        .split('\n')
        .map((line) => line.split('|').map((cell) => cell.trim()))
        .find((row) => row[1] === `\`${key}\``);
      expect(cells, `README row for ${key}`).toBeDefined();
      const value = PARAMS[key].default;
      const shown =
        typeof value === 'boolean'
          ? value
            ? '`1`'
            : '`0`'
          : value === ''
            ? 'empty'
            : `\`${value}\``;
      expect(cells!.at(-2), `default of ${key}`).toBe(shown);
    }
  });
});
