import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, NamedWeight } from '../run/events';
import { readCurrentValues } from './kernels/dispatch';
import type { ResNetModel } from './model';
import type { NagOptimizer } from './optimizer';

function assignable(model: ResNetModel, optimizer: NagOptimizer): Map<string, tf.Variable> {
  const byName = new Map<string, tf.Variable>();
  for (const { name, tensor } of model.namedTensors()) {
    if (!(tensor instanceof tf.Variable)) throw new Error(`${name} is not a variable`);
    byName.set(name, tensor);
  }
  for (const { name, variable } of optimizer.namedVelocities()) byName.set(name, variable);
  return byName;
}

/**
 * Reads the model and optimizer state back to the CPU. Returns null when any value is NaN or
 * infinite: such a state is no "last good" checkpoint.
 */
export async function takeCheckpoint(
  model: ResNetModel,
  optimizer: NagOptimizer,
  position: Omit<Checkpoint, 'tensors'>,
): Promise<Checkpoint | null> {
  const entries = [...assignable(model, optimizer)];
  const tensors: NamedWeight[] = [];
  for (const [name, variable] of entries) {
    const values = await readCurrentValues(variable);
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return null;
    tensors.push({ name, shape: [...variable.shape], values });
  }
  return { ...position, tensors };
}

/** Writes a checkpoint into the model and optimizer; throws when it does not match them. */
export function restoreCheckpoint(
  model: ResNetModel,
  optimizer: NagOptimizer,
  checkpoint: Checkpoint,
): void {
  const byName = assignable(model, optimizer);
  if (checkpoint.tensors.length !== byName.size) {
    throw new Error(
      `The checkpoint holds ${checkpoint.tensors.length} tensors, the model ${byName.size}: it belongs to another network`,
    );
  }
  for (const { name, shape, values } of checkpoint.tensors) {
    const variable = byName.get(name);
    if (!variable) throw new Error(`The checkpoint has ${name}, which this model lacks`);
    if (shape.join('x') !== variable.shape.join('x')) {
      throw new Error(
        `Checkpoint tensor ${name} has shape [${shape}], the model [${variable.shape}]`,
      );
    }
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
  }
}
