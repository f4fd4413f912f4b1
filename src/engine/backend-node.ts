import { create, globals } from 'webgpu';
import type { BackendInfo } from '../run/events';
import { createWebGPUBackend, recreateWebGPUBackend } from './backend';
import { errorMessage } from '../errors';

/**
 * WebGPU in Node through Dawn (npm `webgpu`). Fails loudly: tests and the CLI must never quietly
 * fall back to the CPU. Initialized once per process.
 */
let initialized: Promise<BackendInfo> | null = null;
let nodeGpu: GPU | null = null;

export function initNodeBackend(): Promise<BackendInfo> {
  initialized ??= (async () => {
    Object.assign(globalThis, globals);
    const gpu = create([]);
    nodeGpu = gpu;
    try {
      return await createWebGPUBackend(gpu);
    } catch (error) {
      const message = errorMessage(error);
      throw new Error(
        `Node WebGPU (Dawn) backend failed: ${message}. On a machine without a GPU, run ` +
          'scripts/webgpu-ci/setup.sh (Mesa lavapipe) first.',
        { cause: error },
      );
    }
  })();
  return initialized;
}

/** After a lost device (tests): a new Dawn device and tfjs backend. */
export async function recreateNodeBackend(): Promise<BackendInfo> {
  await initNodeBackend();
  return recreateWebGPUBackend(nodeGpu!);
}
