import { z } from 'zod';
import { PARAM_KEYS, PARAMS, type ExperimentConfig } from './params';

/** A whole config as a zod schema, for data that crosses a trust boundary (files, links, workers). */
export const experimentConfigSchema = z
  .object(Object.fromEntries(PARAM_KEYS.map((key) => [key, PARAMS[key].schema])))
  .strict() as unknown as z.ZodType<ExperimentConfig>;
