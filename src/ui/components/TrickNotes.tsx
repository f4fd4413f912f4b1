import { useMemo } from 'react';
import { blockKindOf, configPackable } from '../../architecture';
import { classCount, type ExperimentConfig, type ModelName } from '../../config';
import { formatKey } from '../../config/number-format';
import type { BackendInfo } from '../../run/events';
import {
  fp16Format,
  fp16FormatNote,
  THEORETICAL_GAP_FORMULA,
  theoreticalLogitGap,
  uniformSmoothingLogitGap,
} from '../../tricks';

export function ResNetBNote({ model }: { model: ModelName }) {
  if (blockKindOf(model) !== 'basic') return null;
  return (
    <p className="param-note" role="note">
      No effect on basic-block ResNets: their first 3×3 conv already strides ({model} uses basic
      blocks).
    </p>
  );
}

/** Which smoothing formula we use, and how it differs from the common ε/K variant. */
export function SmoothingNote({ config }: { config: ExperimentConfig }) {
  const k = classCount(config);
  const eps = config.label_smoothing;
  const paper = theoreticalLogitGap(k, eps);
  const uniform = uniformSmoothingLogitGap(k, eps);
  return (
    <p className="param-note" role="note">
      Follows the paper (Eq. 4): the other classes get ε/(K − 1). GluonCV, timm and fastai put ε/K
      on every class instead, so their optimal logit gap is log(K(1 − ε)/ε + 1)
      {eps > 0 ? ` = ${uniform.toFixed(2)}` : ''}, not the paper’s {THEORETICAL_GAP_FORMULA}
      {eps > 0 ? ` = ${paper.toFixed(2)}` : ''} (K = {k}
      {eps > 0 ? `, ε = ${eps}` : ''}).
    </p>
  );
}

/** What the FP16 toggle really does on this machine, for this network (paper §3.2). */
export function Fp16Note({
  backend,
  config,
}: {
  backend: BackendInfo | null;
  config: ExperimentConfig;
}) {
  const packable = useMemo(() => configPackable(config), [config]);
  // 'pending', 'unavailable', or the storage and arithmetic FP16 runs with (formatKey).
  let mode: string;
  let text: string;
  if (!backend) {
    mode = 'pending';
    text = 'Checking the GPU…';
  } else if (backend.backend !== 'webgpu') {
    mode = 'unavailable';
    text = `unavailable: FP16 needs WebGPU, this browser trains on ${backend.backend}.`;
  } else {
    mode = formatKey(fp16Format(backend.shaderF16, packable));
    text = fp16FormatNote(backend.adapter, backend.shaderF16, packable);
  }
  return (
    <p className="param-note" role="note" data-testid="fp16-note" data-mode={mode}>
      {text}
    </p>
  );
}
