import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { errorMessage } from '../errors';
import type { BackendInfo } from '../run/events';

/**
 * Backend selection, shared by the browser worker and Node: WebGPU on a device we create
 * ourselves (so we can ask for 'shader-f16' and the adapter's full limits), then WebGL, then CPU.
 */

const WEBGPU_PRIORITY = 3;

let activeDevice: GPUDevice | null = null;

/** The GPU device of the WebGPU backend in use (to watch `device.lost`); null without one. */
export function webgpuDevice(): GPUDevice | null {
  return activeDevice;
}

/** A readable adapter name: description, else vendor + architecture. */
export function adapterName(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  if (info.description) return info.description;
  const parts = [info.vendor, info.architecture].filter((s) => s);
  return parts.length > 0 ? parts.join(' ') : 'unknown adapter';
}

/** tfjs's WebGPUBackend refuses to construct unless `navigator.gpu` exists (true in Node). */
function ensureNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator?.gpu) return;
  if (g.navigator) {
    try {
      Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
      if (g.navigator.gpu) return;
    } catch {
      // Fall through: replace navigator itself.
    }
  }
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(g.navigator ?? {}), gpu },
    configurable: true,
    writable: true,
  });
}

/** Creates the device and registers it as tfjs's 'webgpu' backend. Throws with a reason. */
export async function createWebGPUBackend(gpu: GPU): Promise<BackendInfo> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('WebGPU unavailable: no adapter (requestAdapter returned null)');
  const shaderF16 = adapter.features.has('shader-f16');
  // GPU timestamps let the kernel autotuner time kernels without readback latency.
  const timestampQuery = adapter.features.has('timestamp-query');
  const features: GPUFeatureName[] = [];
  if (shaderF16) features.push('shader-f16');
  if (timestampQuery) features.push('timestamp-query');
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  ensureNavigatorGpu(gpu);
  const backend = new WebGPUBackend(device, adapter.info);
  activeDevice = device;
  // Importing tfjs-backend-webgpu may have registered its own factory; ours replaces it.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => backend, WEBGPU_PRIORITY);
  if (!(await tf.setBackend('webgpu'))) {
    throw new Error('WebGPU unavailable: tfjs could not initialize the WebGPU backend');
  }
  await tf.ready();
  return {
    backend: 'webgpu',
    adapter: adapterName(adapter.info),
    fallbackReason: '',
    shaderF16,
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    adapterIdentity: {
      vendor: adapter.info.vendor,
      architecture: adapter.info.architecture,
      device: adapter.info.device,
      description: adapter.info.description,
    },
    timestampQuery,
  };
}

/**
 * After a lost device: drops tfjs's WebGPU backend (its buffers belong to the dead device), then
 * creates a new device and backend. Tensors of the old backend must be disposed before.
 */
export async function recreateWebGPUBackend(gpu: GPU): Promise<BackendInfo> {
  activeDevice = null;
  try {
    if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  } catch {
    // Disposing a backend whose device is gone may fail; it is dropped either way.
  }
  return createWebGPUBackend(gpu);
}

function defaultGpu(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

/**
 * WebGPU if it works, else WebGL, else CPU; `fallbackReason` says why WebGPU was not used.
 * `gpu` defaults to `navigator.gpu`.
 */
export async function initBackend(gpu: GPU | undefined = defaultGpu()): Promise<BackendInfo> {
  let reason: string;
  if (!gpu) {
    reason = 'WebGPU unavailable: navigator.gpu is missing (browser without WebGPU)';
  } else {
    try {
      return await createWebGPUBackend(gpu);
    } catch (error) {
      const message = errorMessage(error);
      reason = message.startsWith('WebGPU unavailable') ? message : `WebGPU failed: ${message}`;
    }
  }
  for (const name of ['webgl', 'cpu'] as const) {
    try {
      if (tf.findBackendFactory(name) && (await tf.setBackend(name))) {
        await tf.ready();
        const adapter = name === 'cpu' ? 'CPU (JavaScript)' : 'WebGL';
        return { backend: name, adapter, fallbackReason: reason, shaderF16: false };
      }
    } catch (error) {
      reason += `; ${name} failed: ${errorMessage(error)}`;
    }
  }
  throw new Error(`No usable TensorFlow.js backend (${reason})`);
}
