import { beforeAll, describe, expect, it } from 'vitest';
import { f16Operand, f16OperandBits, uniformOperand } from '../../tuning-plan/verify';
import { unpackChannels } from '../packed/pack';
import { initNodeBackend } from '../backend-node';
import { isPacked } from '../packed/registry';
import { tuningOperand } from './operands';

beforeAll(async () => {
  expect((await initNodeBackend()).backend).toBe('webgpu');
});

/** The CPU reference reads the operands through the JS hash: the GPU must make the same ones. */
describe('tuning operands made on the GPU', () => {
  it('f32: every element equals the CPU hash value', async () => {
    const t = tuningOperand([2, 5, 7, 3], 11, false);
    const got = await t.data();
    const want = uniformOperand(11);
    expect(got.length).toBe(210);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBe(want(i));
    t.dispose();
  });

  it('packed: every word holds the f16 bits of logical elements 2k and 2k + 1', async () => {
    const t = tuningOperand([2, 3, 3, 6], 5, true);
    expect(t.shape).toEqual([2, 3, 3, 3]);
    expect(isPacked(t)).toBe(true);
    const data = (await t.data()) as Float32Array;
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let k = 0; k < words.length; k++) {
      expect(words[k]! & 0xffff).toBe(f16OperandBits(5, 2 * k));
      expect(words[k]! >>> 16).toBe(f16OperandBits(5, 2 * k + 1));
    }
    t.dispose();
  });

  it('packed, unpacked on the GPU: the values the reference reads', async () => {
    const t = tuningOperand([1, 2, 2, 4], 9, true);
    const u = unpackChannels(t, 4);
    const got = await u.data();
    for (let i = 0; i < got.length; i++) expect(got[i]).toBe(f16Operand(9)(i));
    t.dispose();
    u.dispose();
  });
});
