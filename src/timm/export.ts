import type { ResNetOptions } from '../architecture/resnet-spec';
import type { NamedWeight } from '../run/events';
import { timmArchitecture, type TimmModelJson } from './model-json';
import { encodeSafetensors } from './safetensors';
import { toTimmStateDict } from './state-dict';

/**
 * The files of "Download for PyTorch (timm)" and `--export-timm DIR`: model.safetensors (timm's
 * state dict), model.json (how to build the model), sample.safetensors (inputs and our logits)
 * and load_timm.py (rebuilds, loads with strict=True, compares the logits).
 */

export const TIMM_FILES = {
  weights: 'model.safetensors',
  config: 'model.json',
  sample: 'sample.safetensors',
  script: 'load_timm.py',
} as const;

/** Validation images as the network sees them, and our engine's eval-mode logits for them. */
export interface TimmSample {
  /** Normalized, NCHW float32: [n, 3, input, input]. */
  input: Float32Array;
  /** [n, classes]; an FCN's per pixel, NCHW [n, classes, input, input]. */
  logits: Float32Array;
  count: number;
}

export interface TimmExportRequest {
  options: ResNetOptions;
  weights: readonly NamedWeight[];
  /** Optimizer steps of the run: every BN's num_batches_tracked. */
  steps: number;
  sample: TimmSample;
  /** The text of load_timm.py (read by the caller: a Vite ?raw import, or the file in Node). */
  loadScript: string;
  source: TimmModelJson['source'];
}

export interface ExportFile {
  name: string;
  bytes: Uint8Array;
  type: string;
}

export function buildTimmExport(request: TimmExportRequest): ExportFile[] {
  const { options, sample } = request;
  const modelJson: TimmModelJson = { ...timmArchitecture(options), source: request.source };
  const weights = encodeSafetensors(toTimmStateDict(options, request.weights, request.steps), {
    format: 'pt',
  });
  const input = options.input;
  const samples = encodeSafetensors([
    { name: 'input', dtype: 'F32', shape: [sample.count, 3, input, input], data: sample.input },
    {
      name: 'logits',
      dtype: 'F32',
      shape: options.fcn
        ? [sample.count, options.classes, input, input]
        : [sample.count, options.classes],
      data: sample.logits,
    },
  ]);
  const encoder = new TextEncoder();
  return [
    { name: TIMM_FILES.weights, bytes: weights, type: 'application/octet-stream' },
    {
      name: TIMM_FILES.config,
      bytes: encoder.encode(`${JSON.stringify(modelJson, null, 2)}\n`),
      type: 'application/json',
    },
    { name: TIMM_FILES.sample, bytes: samples, type: 'application/octet-stream' },
    { name: TIMM_FILES.script, bytes: encoder.encode(request.loadScript), type: 'text/x-python' },
  ];
}
