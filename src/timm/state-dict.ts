import type { ResNetOptions } from '../architecture/resnet-spec';
import type { NamedWeight } from '../run/events';
import { hwioToOihw, oihwToHwio, transpose2d } from './layout';
import { timmStateDictNames, type TimmTensorName } from './names';
import type { SafetensorsTensor } from './safetensors';

/** Our weights ⇄ timm's state dict: names (names.ts) and layouts (layout.ts), checked both ways. */

export class StateDictMismatch extends Error {}

/**
 * Our layout of a timm shape: OIHW → HWIO, fc [out, in] → [in, out], an FCN's 1×1 classifier
 * [out, in, 1, 1] → [in, out] (the same bytes as fc's); vectors unchanged.
 */
function ourShape(entry: TimmTensorName): number[] {
  const s = entry.shape;
  if (entry.kind === 'conv-weight') return [s[2]!, s[3]!, s[1]!, s[0]!];
  if (entry.kind === 'fc-weight' || entry.kind === 'classifier-conv-weight') return [s[1]!, s[0]!];
  return s;
}

const isClassifierWeight = (entry: TimmTensorName) =>
  entry.kind === 'fc-weight' || entry.kind === 'classifier-conv-weight';

const sameShape = (a: readonly number[], b: readonly number[]) => a.join('x') === b.join('x');

function toTimmLayout(entry: TimmTensorName, weight: NamedWeight): Float32Array {
  if (entry.kind === 'conv-weight') return hwioToOihw(weight.values, weight.shape);
  if (isClassifierWeight(entry))
    return transpose2d(weight.values, weight.shape[0]!, weight.shape[1]!);
  return weight.values;
}

function toOurLayout(entry: TimmTensorName, values: Float32Array): Float32Array {
  if (entry.kind === 'conv-weight') return oihwToHwio(values, entry.shape);
  if (isClassifierWeight(entry)) return transpose2d(values, entry.shape[0]!, entry.shape[1]!);
  return values;
}

/**
 * timm's state dict for our weights. `batchesTracked` fills every BN's num_batches_tracked (we
 * count optimizer steps, which is what PyTorch counts in training mode).
 */
export function toTimmStateDict(
  options: ResNetOptions,
  weights: readonly NamedWeight[],
  batchesTracked: number,
): SafetensorsTensor[] {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const names = timmStateDictNames(options);
  const used = names.filter((n) => n.ours !== null).length;
  if (used !== weights.length) {
    throw new StateDictMismatch(
      `the run holds ${weights.length} tensors, its network ${used}: the weights belong to another network`,
    );
  }
  return names.map((entry): SafetensorsTensor => {
    if (entry.ours === null) {
      return {
        name: entry.timm,
        dtype: 'I64',
        shape: [],
        data: BigInt64Array.of(BigInt(batchesTracked)),
      };
    }
    const weight = byName.get(entry.ours);
    if (!weight) throw new StateDictMismatch(`the run has no tensor ${entry.ours}`);
    if (!sameShape(weight.shape, ourShape(entry))) {
      throw new StateDictMismatch(
        `${entry.ours} has shape [${weight.shape}], the network [${ourShape(entry)}]`,
      );
    }
    return {
      name: entry.timm,
      dtype: 'F32',
      shape: entry.shape,
      data: toTimmLayout(entry, weight),
    };
  });
}

/**
 * Our weights from a timm state dict of the network of `options`. Refuses, naming the first
 * mismatch in state_dict() order, a missing or unexpected name, a wrong shape or dtype.
 */
export function fromTimmStateDict(
  options: ResNetOptions,
  tensors: readonly SafetensorsTensor[],
): NamedWeight[] {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const names = timmStateDictNames(options);
  const weights: NamedWeight[] = [];
  for (const entry of names) {
    const tensor = byName.get(entry.timm);
    if (!tensor) throw new StateDictMismatch(`the checkpoint lacks ${entry.timm}`);
    const dtype = entry.ours === null ? 'I64' : 'F32';
    if (tensor.dtype !== dtype) {
      throw new StateDictMismatch(`${entry.timm} is ${tensor.dtype}, expected ${dtype}`);
    }
    if (!sameShape(tensor.shape, entry.shape)) {
      throw new StateDictMismatch(
        `${entry.timm} has shape [${tensor.shape}], expected [${entry.shape}]`,
      );
    }
    if (entry.ours === null) continue;
    weights.push({
      name: entry.ours,
      shape: ourShape(entry),
      values: toOurLayout(entry, tensor.data as Float32Array),
    });
  }
  const expected = new Set(names.map((n) => n.timm));
  const extra = tensors.find((t) => !expected.has(t.name));
  if (extra)
    throw new StateDictMismatch(`the checkpoint has ${extra.name}, which the network lacks`);
  return weights;
}
