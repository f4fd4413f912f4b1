import * as tf from '@tensorflow/tfjs-core';
import type { AdapterIdentity } from '../../tuning-plan/plan';
import { formatKey } from '../../config/number-format';
import type { BadLoss } from '../../run-control/rewind';
import { tuneConvolutions } from '../autotune/tuner';
import { restoreCheckpoint } from '../checkpoint';
import { describeGpuFault, withErrorScopes } from '../faults/gpu-errors';
import type { ConvKernelChoice } from '../heavy-ops';
import { convKernelOfLabel } from '../kernels/conv-registry';
import type { CompileFailure } from '../kernels/dispatch';
import { compileTfjsShadersAhead, compileTrainingShaders } from '../precompile';
import { dryRunStep } from '../step';
import { dryRunBatch } from './batches';
import { imagesInStep } from '../../run-control/epoch-plan';
import { keepCheckpoint, type Session } from './session';

/**
 * Warm-up: everything before the first step that costs seconds. A WebGPU shader compiles the first
 * time it runs, and a network runs hundreds of them (tens of seconds on a slow machine), so they
 * are compiled ahead, in parallel, with progress; the first step ends warm-up (`endWarmUp`).
 */

/** An adapter with no identity: its tuned choices are never mixed up with a real GPU's. */
const UNKNOWN_ADAPTER: AdapterIdentity = {
  vendor: 'unknown',
  architecture: '',
  device: '',
  description: '',
  software: '',
};

export async function warmUp(s: Session): Promise<void> {
  const { config, emit } = s;
  emit({
    type: 'status',
    message: `Model ${config.model}: ${s.model.parameters.length} parameter tensors, ${s.stepsPerEpoch} steps per epoch`,
  });
  s.setPhase('warmup', 'Compiling GPU shaders…');
  s.warmupStart = performance.now();
  await tuneKernels(s);
  await compileOurShaders(s);
  emit({
    type: 'status',
    message: 'Compiling TensorFlow.js shaders (in parallel)…',
    fraction: 0.5,
  });
  // tfjs creates each pipeline when its op first runs, one after another; a dry-run step in its
  // compile-only mode dispatches nothing and creates them all at once, in parallel.
  // An epoch's last batch, when its size differs, has shapes of its own: compile those too.
  const lastSize = imagesInStep(s.stepsPerEpoch - 1, s.dataset.train.count, config.batch);
  const last = lastSize === config.batch ? 0 : lastSize;
  await scoped('compiling TensorFlow.js shaders', () =>
    compileTfjsShadersAhead(() => {
      dryRunStep(s.ctx, dryRunBatch(s));
      if (last > 0) dryRunStep(s.ctx, dryRunBatch(s, last));
    }),
  );
  emit({ type: 'status', message: 'First training step…', fraction: 0.9 });
  // A rewind needs a checkpoint from the start: the initial weights, or those resumed from.
  if (s.checkpoint) restoreCheckpoint(s.model, s.optimizer, s.checkpoint);
  else await keepCheckpoint(s);
  s.meter.start();
}

/**
 * Times the convolution kernels of this network on this device and installs the fastest in
 * `s.ops` (nothing to time under a forced family, or when every shape is cached).
 */
async function tuneKernels(s: Session): Promise<void> {
  const { config, options, emit } = s;
  const result = await tuneConvolutions({
    spec: s.spec,
    input: config.input,
    batch: config.batch,
    ops: s.ops,
    adapter: options.adapter ?? UNKNOWN_ADAPTER,
    cache: options.tuningCache ?? null,
    onProgress: (done, total, stage) => {
      if (total === 0) return;
      const what =
        stage === 'compiling'
          ? `compiling candidate kernels: ${done} of ${total}`
          : `timing convolutions: ${done} of ${total}`;
      const message = `Tuning kernels for this GPU, ${what}…`;
      emit({ type: 'status', message, fraction: 0.25 * (done / total) });
    },
  });
  // A bad cache costs a tuning, an excluded kernel a candidate, never the run: the user hears
  // of it and training goes on.
  for (const message of result.notices) emit({ type: 'notice', message });
}

/** `work` inside GPU error scopes (WebGPU only): an error it raises ends warm-up, named. */
async function scoped(what: string, work: () => Promise<void>): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return work();
  const { fault } = await withErrorScopes(work);
  if (fault) throw new Error(describeGpuFault(fault, what));
}

/**
 * Compiles our shaders of this run ahead, in parallel. A convolution kernel whose pipeline does
 * not compile is excluded from its ops' choice (the next kernel of the rule takes its place, and
 * the user hears which), and the new choice compiles in turn; any other failure ends the run.
 */
async function compileOurShaders(s: Session): Promise<void> {
  const { config, emit } = s;
  for (;;) {
    const failures = await compileTrainingShaders(
      s.spec,
      s.ops,
      config.input,
      config.batch,
      (done, total) => {
        emit({
          type: 'status',
          message: `Compiling GPU shaders: ${done} of ${total} of our kernels (in parallel)…`,
          fraction: 0.25 + (total > 0 ? (0.25 * done) / total : 0.25),
        });
      },
    );
    if (failures.length === 0) return;
    const excludedBefore = new Set([
      ...(s.ops.kernels?.excluded ?? []),
      ...(s.ops.f32Storage?.kernels?.excluded ?? []),
    ]);
    for (const failure of failures) excludeKernel(s, failure, excludedBefore);
  }
}

/**
 * Takes a convolution kernel that did not compile out of the choice of its precision's ops (once:
 * its other pipelines fail alike). A failure of anything else, or of a kernel excluded by an
 * earlier pass (`excludedBefore`), ends the run.
 */
function excludeKernel(
  s: Session,
  { source, message }: CompileFailure,
  excludedBefore: ReadonlySet<string>,
): void {
  const kernel = convKernelOfLabel(source.label);
  // Conv shader labels name their number format (formatKey) among their words.
  const words = source.label.split(' ');
  const choices = [s.ops, s.ops.f32Storage].flatMap((ops): ConvKernelChoice[] =>
    ops?.kernels && words.includes(formatKey(ops.format)) ? [ops.kernels] : [],
  );
  const choice = choices[0];
  if (!kernel || !choice || excludedBefore.has(kernel.id)) {
    throw new Error(`${source.label} did not compile on this GPU: ${message}`);
  }
  if (choice.excluded.has(kernel.id)) return;
  choice.excluded.add(kernel.id);
  s.emit({
    type: 'notice',
    message: `${kernel.id} does not compile on this GPU (${message}); the next kernel runs in its place.`,
  });
}

/**
 * Warm-up ends with the first step, which builds whatever the passes above missed; its losses
 * were just read (`bad`: the first one diverged). Its time is compile time, not training speed.
 */
export function endWarmUp(s: Session, bad: BadLoss | null): void {
  s.warmupMs = performance.now() - s.warmupStart;
  s.emit({
    type: 'status',
    message: `GPU shaders compiled in ${(s.warmupMs / 1000).toFixed(1)} s`,
    fraction: 1,
  });
  s.meter.restart(s.step);
  if (!s.controls.paused && !bad) s.setPhase('training');
}
