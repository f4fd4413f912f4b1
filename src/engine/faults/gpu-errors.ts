import { backendDevice, flushCommands, recordInvalidDispatch } from '../kernels/dispatch';
import { activeFailpoints } from './failpoints';

/**
 * GPU errors, caught instead of lost. WebGPU reports a validation, out-of-memory or internal error
 * asynchronously and drops the command buffer it belongs to: without a listener the step's work
 * silently never happens and its tensors hold garbage. Two nets:
 * - error scopes around work whose errors must be attributed (a tuning candidate, warm-up, the
 *   first training steps): withErrorScopes;
 * - an `uncapturederror` listener on every device for the rest (watchUncapturedErrors); the
 *   trainer checks it at every readback and before every checkpoint.
 */

export type GpuErrorKind = 'validation' | 'out-of-memory' | 'internal';

export interface GpuFault {
  kind: GpuErrorKind;
  message: string;
}

const FILTERS: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/** The kind of an uncaptured error: GPUValidationError, GPUOutOfMemoryError, GPUInternalError. */
function kindOf(error: GPUError): GpuErrorKind {
  const name = error.constructor?.name ?? '';
  if (/OutOfMemory/i.test(name)) return 'out-of-memory';
  if (/Internal/i.test(name)) return 'internal';
  return 'validation';
}

function faultOf(error: GPUError): GpuFault {
  return { kind: kindOf(error), message: error.message.trim() };
}

const uncaptured = new WeakMap<GPUDevice, GpuFault[]>();

/** Starts recording the errors no scope catches on `device` (once per device). */
export function watchUncapturedErrors(device: GPUDevice): void {
  if (uncaptured.has(device)) return;
  const faults: GpuFault[] = [];
  uncaptured.set(device, faults);
  device.addEventListener('uncapturederror', (event) => {
    faults.push(faultOf((event as GPUUncapturedErrorEvent).error));
    // Recorded and reported by the run it broke; the browser need not log it as well.
    event.preventDefault();
  });
}

/** How many uncaptured errors the active device has had: a mark for uncapturedErrorSince. */
export function uncapturedErrorMark(): number {
  return uncaptured.get(backendDevice())?.length ?? 0;
}

/** The first uncaptured error of the active device after `mark`, or null. */
export function uncapturedErrorSince(mark: number): GpuFault | null {
  return uncaptured.get(backendDevice())?.[mark] ?? null;
}

/**
 * Lets the errors of work the GPU has finished reach the listener. Dawn has delivered them by the
 * time a readback resolves; wgpu (Deno) dispatches them as a task of their own, so one more task
 * runs first. Call after a readback, before trusting what it read.
 */
export function settleGpuErrors(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs `work` inside validation, out-of-memory and internal error scopes of the active device,
 * submits what it recorded (errors in a command buffer are raised when it is finished), and
 * returns its result with the first GPU error it caused. A throw in `work` still closes the scopes.
 */
export async function withErrorScopes<T>(
  work: () => T | Promise<T>,
): Promise<{ result: T; fault: GpuFault | null }> {
  const device = backendDevice();
  for (const filter of FILTERS) device.pushErrorScope(filter);
  let result: T | undefined;
  let thrown: { error: unknown } | null = null;
  try {
    result = await work();
    flushCommands();
  } catch (error) {
    thrown = { error };
  }
  // Popped in reverse, synchronously, so that nothing else lands between the pops.
  const popped = [...FILTERS].reverse();
  const errors = await Promise.all(popped.map(() => device.popErrorScope()));
  if (thrown) throw thrown.error;
  const faults = errors.flatMap((error, i): GpuFault[] =>
    error ? [{ kind: popped[i]!, message: error.message.trim() }] : [],
  );
  // Validation first: an out-of-memory error is often what follows an invalid command.
  const fault = faults.find((f) => f.kind === 'validation') ?? faults[0] ?? null;
  return { result: result as T, fault };
}

/** A fault in words, for the user: "GPU validation error while <what>: <message>". */
export function describeGpuFault(fault: GpuFault, what: string): string {
  return `GPU ${fault.kind} error while ${what}: ${fault.message}`;
}

/** The gpu-error failpoint: an invalid dispatch inside training step `step`, when it names it. */
export function raiseFailpointGpuError(step: number): void {
  if (activeFailpoints().gpuErrorSteps.has(step)) {
    recordInvalidDispatch(`failpoint gpu-error:${step} (an unbound buffer)`);
  }
}
