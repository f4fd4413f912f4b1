/**
 * Failpoints: faults the engine injects on purpose, so that tests (and a developer) can watch it
 * survive what a real GPU or browser may do. Read from the environment variable TRICKS_FAILPOINTS
 * in Node and from the localStorage key FAILPOINTS_STORAGE_KEY in the page; never from a URL, so a
 * shared link cannot switch them on.
 *
 *   compile:<kernel>   every pipeline of that convolution kernel fails to compile
 *   wrong:<kernel>     that kernel's outputs are perturbed (y ↦ 1.5·y + 1)
 *   gpu-error:<step>   a GPU validation error is raised inside training step <step> (1-based)
 *
 * Entries are separated by commas or spaces, e.g. "compile:tiled-64x64, wrong:direct gpu-error:5".
 * Pure: no tfjs, no environment.
 */

export const FAILPOINTS_ENV = 'TRICKS_FAILPOINTS';
export const FAILPOINTS_STORAGE_KEY = 'tricks-playground:failpoints';

export interface Failpoints {
  /** Kernel ids whose pipelines fail to compile. */
  compile: ReadonlySet<string>;
  /** Kernel ids whose outputs are perturbed. */
  wrong: ReadonlySet<string>;
  /** Training steps (1-based) inside which a GPU validation error is raised. */
  gpuErrorSteps: ReadonlySet<number>;
}

export const NO_FAILPOINTS: Failpoints = {
  compile: new Set(),
  wrong: new Set(),
  gpuErrorSteps: new Set(),
};

export function hasFailpoints(f: Failpoints): boolean {
  return f.compile.size + f.wrong.size + f.gpuErrorSteps.size > 0;
}

const KERNEL_ID = /^[a-z0-9][a-z0-9-]*$/;
const USAGE = 'compile:<kernel>, wrong:<kernel> or gpu-error:<step>';

/**
 * Parses a failpoint list. Every malformed entry is an error naming it; `knownKernels`, when
 * given, also refuses kernel ids that do not exist (a typo would otherwise test nothing).
 */
export function parseFailpoints(
  text: string,
  knownKernels?: ReadonlySet<string>,
): { failpoints: Failpoints; errors: string[] } {
  const compile = new Set<string>();
  const wrong = new Set<string>();
  const gpuErrorSteps = new Set<number>();
  const errors: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter((e) => e.length > 0)) {
    const colon = entry.indexOf(':');
    const kind = colon < 0 ? entry : entry.slice(0, colon);
    const arg = colon < 0 ? '' : entry.slice(colon + 1);
    if (kind === 'compile' || kind === 'wrong') {
      if (!KERNEL_ID.test(arg)) {
        errors.push(`failpoint "${entry}": ${kind} needs a kernel id, e.g. ${kind}:tiled-64x64`);
      } else if (knownKernels && !knownKernels.has(arg)) {
        errors.push(
          `failpoint "${entry}": no kernel "${arg}" (kernels: ${[...knownKernels].join(', ')})`,
        );
      } else {
        (kind === 'compile' ? compile : wrong).add(arg);
      }
    } else if (kind === 'gpu-error') {
      const step = Number(arg);
      if (!/^\d+$/.test(arg) || !Number.isSafeInteger(step) || step < 1) {
        errors.push(`failpoint "${entry}": gpu-error needs a training step ≥ 1, e.g. gpu-error:5`);
      } else {
        gpuErrorSteps.add(step);
      }
    } else {
      errors.push(`unknown failpoint "${entry}" (use ${USAGE})`);
    }
  }
  return { failpoints: { compile, wrong, gpuErrorSteps }, errors };
}

/** The list as text again, in a fixed order (for notices and the page's banner). */
export function formatFailpoints(f: Failpoints): string {
  return [
    ...[...f.compile].sort().map((id) => `compile:${id}`),
    ...[...f.wrong].sort().map((id) => `wrong:${id}`),
    ...[...f.gpuErrorSteps].sort((a, b) => a - b).map((step) => `gpu-error:${step}`),
  ].join(', ');
}
