import { useMemo } from 'react';
import {
  blockKindOf,
  estimateTrainingMemory,
  buildResNetSpec,
  resnetOptionsFromConfig,
  storedActivationsOf,
  summarizeResNet,
  type StoredActivations,
  type ArchitectureSummary as Summary,
} from '../../architecture';
import { classCount, type ExperimentConfig } from '../../config';
import { formatCount, formatMacs } from '../format';
import { errorMessage } from '../../errors';

function summarize(config: ExperimentConfig): {
  summary: Summary | null;
  stored: StoredActivations;
  classes: number;
  error: string | null;
} {
  const classes = config.classes > 0 ? config.classes : classCount(config);
  try {
    const spec = buildResNetSpec(resnetOptionsFromConfig(config, classes));
    const stored = storedActivationsOf(config, spec);
    return { summary: summarizeResNet(spec, config.input), stored, classes, error: null };
  } catch (err) {
    return { summary: null, stored: 'f32', classes, error: errorMessage(err) };
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;
}

function memoryLine(config: ExperimentConfig, summary: Summary, stored: StoredActivations): string {
  const memory = estimateTrainingMemory(summary, config.batch, config.input, stored);
  const weights =
    stored === 'f16'
      ? 'for weights (f32 and their f16 copies), gradients and momentum'
      : 'for weights, gradients and momentum';
  return (
    `Training needs ≈ ${megabytes(memory.totalBytes)} of GPU memory: ` +
    `${megabytes(memory.parameterBytes)} ${weights}, ` +
    `${megabytes(memory.activationBytes)} of ${stored} activations at batch ${config.batch}.`
  );
}

/** Parameters and multiply-adds of the configured network, with a per-layer table. */
export function ArchitectureSummary({ config }: { config: ExperimentConfig }) {
  const { summary, stored, classes, error } = useMemo(() => summarize(config), [config]);
  if (!summary) {
    return (
      <div className="arch-summary" role="alert">
        This architecture is not valid: {error}
      </div>
    );
  }
  return (
    <div className="arch-summary" data-testid="arch-summary">
      <p className="arch-headline">
        <strong data-testid="arch-params">{formatCount(summary.params)} parameters</strong> ·{' '}
        <strong data-testid="arch-macs">{formatMacs(summary.macs)} multiply-adds</strong> at{' '}
        {config.input}×{config.input}
      </p>
      <p className="arch-sub" data-testid="arch-memory">
        {memoryLine(config, summary, stored)}
      </p>
      <p className="arch-sub">
        {config.model} ({blockKindOf(config.model)} blocks), {classes} classes
        {config.classes > 0 ? ' (summary only)' : ''}, {summary.layers.length} layers. Compare with
        paper Table 5 using Width 1, Input 224 and Classes 1000.
      </p>
      <details>
        <summary>Layer table</summary>
        <div className="table-scroll">
          <table className="layer-table">
            <thead>
              <tr>
                <th scope="col">Layer</th>
                <th scope="col">Output (H×W×C)</th>
                <th scope="col">Parameters</th>
                <th scope="col">Multiply-adds</th>
              </tr>
            </thead>
            <tbody>
              {summary.layers.map((l) => (
                <tr key={l.name}>
                  <td>
                    <code>{l.name}</code>
                  </td>
                  <td>{l.output.join('×')}</td>
                  <td className="num">{l.params.toLocaleString('en-US')}</td>
                  <td className="num">{formatMacs(l.macs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
