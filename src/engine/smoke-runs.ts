import { parseQuery } from '../config';
import { generateSyntheticDataset } from '../data/synthetic';
import type { TrainPoint } from '../run/events';
import { createTrainer } from './trainer';

/**
 * The training smoke runs that must give the same losses on every WebGPU implementation (tests
 * only, never imported by the app): ResNet-A with basic blocks and ResNet-B/C/D with bottlenecks,
 * each with every kernel setting, in f32 and FP16. implementations.test.ts trains them under wgpu
 * (Deno) and compares with Dawn's losses (scripts/webgpu-ci/smoke-losses.ts, run in Node).
 */

const ARCHITECTURES = {
  'ResNet-A basic': 'model=resnet10',
  'ResNet-B/C/D bottleneck': 'model=resnet26&tweak_b=1&tweak_c=1&tweak_d=1',
} as const;
const KERNELS = ['direct', 'tiled', 'tfjs', 'auto'] as const;

/**
 * Tiny and fixed: 16 synthetic images of 32 px, 8 per step, no augmentation. Zero γ and a small
 * learning rate keep the trajectory smooth: without them ResNet-26 at this width turned a
 * summation-order difference of 1e-7 between two kernels into 4% of the loss by the third step,
 * and 'auto' may pick other kernels on another implementation.
 */
const COMMON =
  'width=0.0625&input=32&batch=8&train_size=16&val_size=4&epochs=2&crop=0&flip=0&jitter=0&pca=0&warmup=0&lr=0.01&zero_gamma=1';

export interface SmokeRun {
  name: string;
  query: string;
  /**
   * Trained on a device without 'shader-f16' and 'timestamp-query', as Firefox's: f16 storage
   * with f32 arithmetic, kernels tuned by the clock.
   */
  asFirefox: boolean;
}

/** The optional features Firefox does not have, withheld from the device of those runs. */
export const FIREFOX_WITHHELD: GPUFeatureName[] = ['shader-f16', 'timestamp-query'];

/** FP16 never runs stock tfjs (it has no f16): kernels=tfjs with FP16 would be kernels=direct. */
export const SMOKE_RUNS: readonly SmokeRun[] = [
  ...Object.entries(ARCHITECTURES).flatMap(([arch, model]) =>
    KERNELS.flatMap((kernels) =>
      (kernels === 'tfjs' ? [0] : [0, 1]).map((fp16) => ({
        name: `${arch}, kernels=${kernels}, ${fp16 ? 'FP16' : 'f32'}`,
        query: `${model}&kernels=${kernels}&fp16=${fp16}&${COMMON}`,
        asFirefox: false,
      })),
    ),
  ),
  ...Object.entries(ARCHITECTURES).map(([arch, model]) => ({
    name: `${arch}, kernels=auto, FP16 without shader-f16 and timestamp-query`,
    query: `${model}&kernels=auto&fp16=1&${COMMON}`,
    asFirefox: true,
  })),
];

/** Steps each smoke run trains (the first three inside GPU error scopes, the fourth not). */
export const SMOKE_STEPS = 4;

/** The run's training losses, step by step, on the backend in use; throws unless it finished. */
export async function smokeLosses(run: SmokeRun): Promise<number[]> {
  const { config } = parseQuery(run.query);
  const dataset = generateSyntheticDataset({ seed: 1, trainSize: 16, valSize: 4 });
  const points: TrainPoint[] = [];
  const errors: string[] = [];
  const trained = await createTrainer({
    config,
    dataset,
    stepsLimit: SMOKE_STEPS,
    onEvent: (event) => {
      if (event.type === 'train-points') points.push(...event.points);
      if (event.type === 'error') errors.push(event.message);
    },
  }).run();
  trained?.dispose();
  if (trained?.outcome !== 'finished') {
    throw new Error(`${run.name}: ${trained?.outcome ?? 'no model'} (${errors.join('; ')})`);
  }
  return points.map((p) => p.loss);
}
