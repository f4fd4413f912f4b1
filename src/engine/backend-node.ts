import { createRequire } from 'node:module';
// Every op's gradient, in Node and Deno: tfjs-core's CommonJS build (what they load) registers
// none, and its register_all_gradients is ES modules that only bundlers resolve; tfjs-layers'
// CommonJS build registers them all, as the @tensorflow/tfjs umbrella package did.
import '@tensorflow/tfjs-layers';
import { FAILPOINTS_ENV } from '../config/failpoints';
import type { BackendInfo } from '../run/events';
import { createWebGPUBackend, recreateWebGPUBackend, type DeviceOptions } from './backend';
import { errorMessage } from '../errors';
import { setFailpointsFromText } from './faults/failpoints';
import { CONV_KERNEL_IDS } from './kernels/conv-registry';

/**
 * WebGPU outside the browser: Dawn (Chrome's implementation) through the npm package `webgpu` in
 * Node, or wgpu (Firefox's) through `navigator.gpu` in Deno (`deno run --unstable-webgpu`), so
 * that tests, the CLI and the benchmarks run on either. Fails loudly: they must never quietly fall
 * back to the CPU. Initialized once per process, from the environment:
 * - TRICKS_WEBGPU_LIMITS=default: WebGPU's default limits instead of the adapter's (the tests);
 * - TRICKS_WEBGPU_WITHHOLD=shader-f16,…: optional features not to request (Firefox's case);
 * - TRICKS_FAILPOINTS: faults to inject (src/config/failpoints.ts).
 */
let initialized: Promise<BackendInfo> | null = null;
let headlessGpu: GPU | null = null;

/** Which WebGPU implementation this process runs on. */
export function headlessImplementation(): 'wgpu (Deno)' | 'Dawn (Node)' {
  return 'Deno' in globalThis ? 'wgpu (Deno)' : 'Dawn (Node)';
}

async function headlessNavigatorGpu(): Promise<GPU> {
  if ('Deno' in globalThis) {
    const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    if (!gpu) throw new Error('Deno has no navigator.gpu: run it with --unstable-webgpu');
    return gpu;
  }
  // Loaded only in Node: its globals (GPUBufferUsage, …) would replace Deno's own.
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  return create([]);
}

/** The runtime and its WebGPU implementation, with versions: part of the tuning cache's key. */
function headlessRuntime(): string {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  if (deno) return `Deno ${deno.version.deno} (wgpu)`;
  let dawn = 'unknown version';
  try {
    dawn = (createRequire(import.meta.url)('webgpu/package.json') as { version: string }).version;
  } catch {
    // A bundle without the package's manifest (the GPU kit): the version stays unknown.
  }
  return `Node.js ${process.version} (Dawn, npm webgpu ${dawn})`;
}

/** The device options the environment asks for. */
export function deviceOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DeviceOptions {
  const limits = env.TRICKS_WEBGPU_LIMITS;
  if (limits !== undefined && limits !== 'default' && limits !== 'adapter') {
    throw new Error(`TRICKS_WEBGPU_LIMITS=${limits}: use 'default' or 'adapter'`);
  }
  const withhold = (env.TRICKS_WEBGPU_WITHHOLD ?? '')
    .split(/[\s,]+/)
    .filter((f) => f.length > 0) as GPUFeatureName[];
  return { limits: limits ?? 'adapter', withhold, software: headlessRuntime() };
}

export function initNodeBackend(): Promise<BackendInfo> {
  initialized ??= (async () => {
    const implementation = headlessImplementation();
    setFailpointsFromText(process.env[FAILPOINTS_ENV] ?? '', CONV_KERNEL_IDS);
    const options = deviceOptionsFromEnv();
    try {
      headlessGpu = await headlessNavigatorGpu();
      return await createWebGPUBackend(headlessGpu, options);
    } catch (error) {
      const message = errorMessage(error);
      throw new Error(
        `${implementation} WebGPU backend failed: ${message}. On a machine without a GPU, run ` +
          'scripts/webgpu-ci/setup.sh (Mesa lavapipe) first.',
        { cause: error },
      );
    }
  })();
  return initialized;
}

/**
 * A new device and tfjs backend on the same adapter (tests: after a lost device, or to withhold a
 * feature), with the environment's options unless `options` says otherwise.
 */
export async function recreateNodeBackend(options: DeviceOptions = {}): Promise<BackendInfo> {
  await initNodeBackend();
  return recreateWebGPUBackend(headlessGpu!, { ...deviceOptionsFromEnv(), ...options });
}
