import { bufferLimitProblem, trainingMemoryOf } from '../architecture/memory';
import { DATASET_TITLES } from '../data/load';
import { enforceConsistency } from './consistency';
import { PARAMS, type ExperimentConfig, type ParamKey } from './params';

/**
 * Why these settings cannot be trained now, in words, or nothing: inconsistent values (the URL
 * codec resets them on load), a dataset not loaded yet (`loadedClasses` null), and a network whose
 * largest activation does not fit the GPU's buffer limit (unknown while the backend starts).
 * Pure; the Train button and the sweeps stay disabled while the list is not empty.
 */
export function trainingProblems(
  config: ExperimentConfig,
  loadedClasses: number | null,
  maxStorageBufferBindingSize: number | undefined,
): string[] {
  const problems = enforceConsistency(config, loadedClasses).ignored.map(
    (p) => `${PARAMS[p.key as ParamKey]?.label ?? p.key} ${p.value} ${p.reason}.`,
  );
  if (config.dataset !== 'synthetic' && loadedClasses === null) {
    problems.push(
      config.dataset === 'hub'
        ? `Load the Hugging Face dataset ${config.hub || '(enter its id)'} in the Data section first.`
        : `Load the ${DATASET_TITLES[config.dataset]} files in the Data section first.`,
    );
  }
  const memory = trainingMemoryOf(config);
  const limit = memory && bufferLimitProblem(memory, maxStorageBufferBindingSize);
  if (limit) problems.push(limit);
  return problems;
}
