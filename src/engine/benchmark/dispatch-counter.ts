/**
 * Counts compute dispatches (tfjs's and ours alike) by wrapping
 * GPUComputePassEncoder.prototype.dispatchWorkgroups while a counter is installed. Benchmark-only.
 */

interface DispatchPrototype {
  dispatchWorkgroups(this: unknown, ...args: unknown[]): void;
}

let installed: { count: number } | null = null;

function passPrototype(): DispatchPrototype | null {
  const ctor = (globalThis as { GPUComputePassEncoder?: { prototype: DispatchPrototype } })
    .GPUComputePassEncoder;
  return ctor?.prototype ?? null;
}

/** Starts counting; returns a function that restores the original method and gives the count. */
export function countDispatches(): { read(): number; stop(): number } | null {
  const proto = passPrototype();
  if (!proto || installed) return null;
  const original = proto.dispatchWorkgroups;
  const counter = { count: 0 };
  installed = counter;
  proto.dispatchWorkgroups = function (this: unknown, ...args: unknown[]) {
    counter.count++;
    return original.apply(this, args);
  };
  return {
    read: () => counter.count,
    stop() {
      proto.dispatchWorkgroups = original;
      installed = null;
      return counter.count;
    },
  };
}
