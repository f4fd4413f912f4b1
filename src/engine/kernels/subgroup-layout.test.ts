import { describe, expect, it } from 'vitest';
import { bnSubgroupChunk, subgroupShuffleWidth } from './subgroup-layout';

/** A probe's output: [aligned, size] per invocation. */
const probe = (pairs: [number, number][]) => Float32Array.from(pairs.flat());

describe('subgroupShuffleWidth', () => {
  it('aligned subgroups of 8: 8; the adapter minimum bounds it', () => {
    const eight = probe(Array.from({ length: 16 }, () => [1, 8] as [number, number]));
    expect(subgroupShuffleWidth(eight)).toBe(8);
    expect(subgroupShuffleWidth(eight, 4)).toBe(4);
    expect(subgroupShuffleWidth(eight, 32)).toBe(8);
  });

  it('mixed sizes: the smallest; one unaligned invocation, a size not a power of two, or size 1: none', () => {
    expect(
      subgroupShuffleWidth(
        probe([
          [1, 32],
          [1, 16],
          [1, 32],
        ]),
      ),
    ).toBe(16);
    expect(
      subgroupShuffleWidth(
        probe([
          [1, 32],
          [0, 32],
        ]),
      ),
    ).toBeNull();
    expect(
      subgroupShuffleWidth(
        probe([
          [1, 24],
          [1, 24],
        ]),
      ),
    ).toBeNull();
    expect(
      subgroupShuffleWidth(
        probe([
          [1, 1],
          [1, 1],
        ]),
      ),
    ).toBeNull();
    expect(subgroupShuffleWidth(probe([[1, 0]]))).toBeNull();
  });
});

describe('bnSubgroupChunk', () => {
  it("a column's lanes per subgroup: subgroup width ÷ block width, 1 where the block is as wide", () => {
    // NVIDIA-like 32: blocks of 1, 4, 16, 32, 64 columns.
    expect([1, 4, 16, 32, 64].map((w) => bnSubgroupChunk(w, 32))).toEqual([32, 8, 2, 1, 1]);
    // lavapipe's 8.
    expect([1, 4, 8, 16].map((w) => bnSubgroupChunk(w, 8))).toEqual([8, 2, 1, 1]);
    expect(bnSubgroupChunk(4, null)).toBe(1);
  });
});
