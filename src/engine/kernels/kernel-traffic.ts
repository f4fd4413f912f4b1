import type { ConvOp } from '../../tuning-plan/plan';
import type { ConvGeometry } from './conv-geometry';
import { directConvTraffic, tiledConvTraffic, type OpTraffic } from './conv-traffic';
import { filterGradSplits, PIXELS_PER_INVOCATION } from './direct-conv';
import { tiledFilterGradSplits, tileShapeById } from './tiled-conv';
import { tileShape2ById } from './tiled-conv-v2';

/**
 * The traffic (conv-traffic.ts) of the kernel `id` of the conv registry on one op, in f32 storage
 * (the per-layer benchmark's precision); null for TensorFlow.js's own kernels, whose loops are
 * not ours to count.
 */
export function kernelTraffic(id: string, op: ConvOp, g: ConvGeometry): OpTraffic | null {
  if (id === 'direct') {
    const blocks = g.kernelHeight * g.kernelWidth * (g.inChannels / 4) * (g.outChannels / 4);
    const splits =
      op === 'filterGrad' ? filterGradSplits(blocks, g.batch * g.outHeight * g.outWidth) : 1;
    return directConvTraffic(op, g, 4, PIXELS_PER_INVOCATION, splits);
  }
  const second = tileShape2ById(id);
  const shape = second ?? tileShapeById(id);
  if (!shape) return null;
  // Both generations split the filter gradient's reduction by the same rule.
  const splits = op === 'filterGrad' ? tiledFilterGradSplits(g, shape).splits : 1;
  return tiledConvTraffic(op, g, 4, {
    tileM: shape.tileM,
    tileN: shape.tileN,
    splits,
    stridePhases: second !== undefined,
  });
}
