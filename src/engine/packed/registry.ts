/**
 * Which tensors hold packed f16 data (FP16 storage, §3.2): two f16 values per 32-bit word, see
 * layout.ts. tfjs sees them as ordinary float32 tensors, so the engine keeps this registry, keyed
 * by the tensor's data (reshapes and clones share it), for the one place tfjs itself touches
 * packed data: the addition that accumulates a tensor's gradients from several consumers.
 * Every function that returns a packed tensor marks it.
 */
const packedData = new WeakSet<object>();

export function markPacked<T extends { dataId: object }>(tensor: T): T {
  packedData.add(tensor.dataId);
  return tensor;
}

export function isPacked(tensor: { dataId: object }): boolean {
  return packedData.has(tensor.dataId);
}
