import { z } from 'zod';
import { enforceConsistency } from '../config/consistency';
import { DEFAULT_CONFIG } from '../config/defaults';
import { PARAM_KEYS, PARAMS, type ExperimentConfig } from '../config/params';
import { RUN_ORIGINS, RUN_STATUSES, type SavedRun } from './saved-run';

/** zod schemas for runs that come from outside (files, links). Messages name the field. */

const finite = z.number().finite();

/** A config object: every key must be a known parameter with a valid value; missing = default. */
export const configSchema = z
  .object(Object.fromEntries(PARAM_KEYS.map((key) => [key, PARAMS[key].schema.optional()])))
  .strict()
  .transform((partial, ctx) => {
    const config = { ...DEFAULT_CONFIG, ...partial } as ExperimentConfig;
    const { ignored } = enforceConsistency(config);
    for (const problem of ignored) {
      ctx.addIssue({
        code: 'custom',
        path: [problem.key],
        message: `${problem.value} ${problem.reason}`,
      });
    }
    return config;
  });

export const trainPointSchema = z.object({
  step: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  loss: finite,
  lr: finite,
});

export const evalSchema = z.object({
  epoch: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
  imagesSeen: z.number().int().nonnegative().optional(),
  valLoss: finite,
  top1: z.number().min(0).max(1),
  top5: z.number().min(0).max(1).nullable(),
  gaps: z.array(finite).max(100_000),
  meanGap: finite,
  predictions: z.array(z.number().int().nonnegative()).max(100_000).optional(),
  confidences: z.array(z.number().min(0).max(1)).max(100_000).optional(),
  labels: z.array(z.number().int().nonnegative()).max(100_000).optional(),
  pixelAccuracy: z.number().min(0).max(1).optional(),
  mIoU: z.number().min(0).max(1).optional(),
  predictedMasks: z
    .array(z.array(z.number().int().nonnegative()).max(1_048_576))
    .max(16)
    .optional(),
});

const nullableFinite = finite.nullable();

export const finalMetricsSchema = z.object({
  top1: z.number().min(0).max(1).nullable(),
  top5: z.number().min(0).max(1).nullable(),
  valLoss: nullableFinite,
  trainLoss: nullableFinite,
  secondsPerEpoch: nullableFinite,
  steps: z.number().int().nonnegative(),
  epochs: z.number().int().nonnegative(),
});

export const savedRunSchema = z.object({
  id: z.string().regex(/^r\d{1,6}$/, 'must be a run id such as r1'),
  name: z.string().max(200),
  config: configSchema,
  status: z.enum(RUN_STATUSES),
  origin: z.enum(RUN_ORIGINS),
  createdAt: finite,
  updatedAt: finite,
  points: z.array(trainPointSchema).max(500_000),
  evals: z.array(evalSchema).max(10_000),
  final: finalMetricsSchema.nullable(),
  error: z.string().max(2000).nullable(),
  warmupMs: nullableFinite,
  sweep: z
    .object({
      table: z.string().max(40),
      row: z.number().int(),
      label: z.string().max(200),
      repeat: z.number().int().nonnegative().optional(),
    })
    .nullable(),
  hasWeights: z.boolean(),
  divergences: z
    .array(
      z.object({
        step: z.number().int().nonnegative(),
        loss: z.string().max(20),
        validation: z.boolean().optional(),
        cause: z.string().max(500),
        restoredStep: z.number().int().nonnegative(),
      }),
    )
    .max(1000)
    .optional(),
  // A checkpoint lives in the browser that trained the run: never imported.
  checkpoint: z.null().optional(),
}) satisfies z.ZodType<SavedRun, unknown>;

/** "config.batch: must be at most 1024" — the first few problems, readable. */
export function describeIssues(error: z.ZodError, limit = 3): string {
  const parts = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length - limit;
  return parts.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}
