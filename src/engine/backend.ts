import * as tf from '@tensorflow/tfjs-core';
// tfjs-core has no backend of its own: these register initBackend's fallbacks, 'cpu' and (in a
// browser) 'webgl', as the @tensorflow/tfjs umbrella package did.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { errorMessage } from '../errors';
import type { BackendInfo } from '../run/events';
import { watchUncapturedErrors } from './faults/gpu-errors';
import { probeSubgroupLayout } from './kernels/subgroup-layout';

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

/** How the device is created; the defaults are what the page and the CLI use. */
export interface DeviceOptions {
  /**
   * 'adapter': the adapter's maxima for the limits our kernels and tfjs's buffers depend on;
   * 'default': WebGPU's default limits (128 MiB per binding, 16 KiB of workgroup memory, 256
   * invocations, 8 storage buffers per dispatch), the least every implementation offers: what
   * the engine tests run on.
   */
  limits?: 'adapter' | 'default';
  /** Optional features not to request even where the adapter has them (Firefox has no shader-f16). */
  withhold?: readonly GPUFeatureName[];
  /** The runtime and its version (browser user agent, Node or Deno), which keys the tuning cache. */
  software?: string;
}

/** The optional features the engine uses when the adapter has them. */
const WANTED_FEATURES: readonly GPUFeatureName[] = [
  // f16 arithmetic in the FP16 kernels (without it FP16 stores f16 and computes in f32).
  'shader-f16',
  // GPU timestamps let the kernel autotuner time kernels without readback latency.
  'timestamp-query',
  // Subgroup shuffles in BN's reductions (kernels/bn-reduce-wgsl.ts); newer than our typings.
  'subgroups' as GPUFeatureName,
];

/** Creates the device and registers it as tfjs's 'webgpu' backend. Throws with a reason. */
export async function createWebGPUBackend(
  gpu: GPU,
  options: DeviceOptions = {},
): Promise<BackendInfo> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('WebGPU unavailable: no adapter (requestAdapter returned null)');
  const withheld = new Set(options.withhold ?? []);
  const features = WANTED_FEATURES.filter((f) => adapter.features.has(f) && !withheld.has(f));
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits:
      options.limits === 'default'
        ? {}
        : {
            maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
            maxBufferSize: limits.maxBufferSize,
            maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
            maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
            maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
            maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
            // More parameters (BN layers) per in-place NAG (running-statistics) dispatch.
            maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
          },
  });
  // Before any work: an error nobody scoped must still reach the run it breaks.
  watchUncapturedErrors(device);
  ensureNavigatorGpu(gpu);
  const backend = new WebGPUBackend(device, adapter.info);
  activeDevice = device;
  const shaderF16 = device.features.has('shader-f16');
  const timestampQuery = device.features.has('timestamp-query');
  // Importing tfjs-backend-webgpu may have registered its own factory; ours replaces it.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => backend, WEBGPU_PRIORITY);
  if (!(await tf.setBackend('webgpu'))) {
    throw new Error('WebGPU unavailable: tfjs could not initialize the WebGPU backend');
  }
  await tf.ready();
  // Before any kernel: whether BN may shuffle in subgroups here (one small dispatch).
  const subgroupShuffles = await probeSubgroupLayout(
    (adapter.info as GPUAdapterInfo & { subgroupMinSize?: number }).subgroupMinSize,
  );
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
      software: options.software ?? runtimeDescription(),
    },
    timestampQuery,
    subgroups: subgroupShuffles !== null,
    limits: options.limits === 'default' ? 'default' : 'adapter',
  };
}

/** The runtime's name and version: the browser's user agent where there is one. */
function runtimeDescription(): string {
  const agent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  return agent ?? 'unknown runtime';
}

/**
 * After a lost device: drops tfjs's WebGPU backend (its buffers belong to the dead device), then
 * creates a new device and backend. Tensors of the old backend must be disposed before.
 */
export async function recreateWebGPUBackend(
  gpu: GPU,
  options: DeviceOptions = {},
): Promise<BackendInfo> {
  activeDevice = null;
  try {
    if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  } catch {
    // Disposing a backend whose device is gone may fail; it is dropped either way.
  }
  return createWebGPUBackend(gpu, options);
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
