import { beforeAll, describe, expect, it } from 'vitest';
import { MIN_DISPATCH_MS } from '../../benchmark-report/dispatch-span';
import { initNodeBackend } from '../backend-node';
import { copyBytes, fmaShape, measureCopyPeak, measureFmaPeak, runCopyKernel } from './peaks';

beforeAll(async () => {
  await initNodeBackend();
});

describe('roofline peaks', () => {
  it('counts the FMA work: 64 workgroups × 256 threads × 1024 iterations × 8 vec4 FMAs × 8 flops', () => {
    expect(fmaShape(1)).toEqual({ workgroups: 64, iterations: 1024, flops: 1_073_741_824 });
    // Widened first (to 4096 workgroups), then lengthened.
    expect(fmaShape(64).workgroups).toBe(4096);
    expect(fmaShape(256)).toMatchObject({ workgroups: 4096, iterations: 4096 });
    expect(fmaShape(256).flops).toBe(1_073_741_824 * 256);
  });

  it('counts a copy as one 16-byte read and one 16-byte write per element and pass', () => {
    expect(copyBytes(1000, 3)).toBe(96_000);
  });

  it('the copy kernel writes every element, one pass: dst = src·1.0001', async () => {
    // 1001 vec4s: not a multiple of the workgroup, nor of the rotation.
    const values = Float32Array.from({ length: 4004 }, (_, i) => (i % 97) - 40);
    const dst = await runCopyKernel(values, 1);
    for (let i = 0; i < values.length; i++) {
      expect(dst[i]).toBeCloseTo(values[i]! * 1.0001, 4);
    }
  });

  it('the copy kernel writes every element in each of 3 rotated passes (dst = src·1.0001 + pass)', async () => {
    const values = Float32Array.from({ length: 4004 }, (_, i) => (i % 89) * 0.5);
    const dst = await runCopyKernel(values, 3);
    for (let i = 0; i < values.length; i++) {
      // Passes run concurrently across threads: the last write to an element is one of them.
      const pass = Math.round(dst[i]! - values[i]! * 1.0001);
      expect([0, 1, 2]).toContain(pass);
      expect(dst[i]).toBeCloseTo(values[i]! * 1.0001 + pass, 3);
    }
  });

  it(`each peak comes from one dispatch of at least ${MIN_DISPATCH_MS} ms`, async () => {
    const fma = await measureFmaPeak();
    const copy = await measureCopyPeak(8 * 2 ** 20);
    console.log(
      `FMA peak ${fma.gflops.toFixed(1)} GFLOP/s (${fma.dispatchMs.toFixed(1)} ms dispatch); ` +
        `copy ${copy.gbps.toFixed(1)} GB/s (${copy.dispatchMs.toFixed(1)} ms dispatch)`,
    );
    expect(fma.dispatchMs).toBeGreaterThanOrEqual(MIN_DISPATCH_MS);
    expect(copy.dispatchMs).toBeGreaterThanOrEqual(MIN_DISPATCH_MS);
    expect(fma.gflops).toBeGreaterThan(0);
    expect(copy.gbps).toBeGreaterThan(0);
  });
});
