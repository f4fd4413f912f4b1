import { PARAM_KEYS, PARAMS, type ExperimentConfig } from './params';

export const DEFAULT_CONFIG: Readonly<ExperimentConfig> = Object.freeze(
  Object.fromEntries(PARAM_KEYS.map((key) => [key, PARAMS[key].default])) as ExperimentConfig,
);

export function defaultConfig(): ExperimentConfig {
  return { ...DEFAULT_CONFIG };
}
