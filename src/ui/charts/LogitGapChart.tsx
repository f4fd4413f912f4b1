import type { EvalResult } from '../../run/events';
import { THEORETICAL_GAP_FORMULA, theoreticalLogitGap } from '../../tricks';
import { formatNumber } from '../format';
import { ChartCard, EmptyChart } from './ChartCard';
import { GapHistogram, MeanGapPerEpoch } from './LogitGapPlots';
import type { OverlaySeries } from './overlays';

/** The theory line's caption, e.g. "Theory (paper Eq. 5): log((K − 1)(1 − ε)/ε) = 4.39". */
export function theoryCaption(classes: number, epsilon: number): string {
  const gap = theoreticalLogitGap(classes, epsilon);
  return Number.isFinite(gap)
    ? `Theory (paper Eq. 5): ${THEORETICAL_GAP_FORMULA} = ${gap.toFixed(2)}`
    : `Theory (paper Eq. 5): without label smoothing (ε = 0) the optimal gap is infinite`;
}

/**
 * Paper Fig. 4b: the gap between the top logit and the mean of the others, per validation image.
 * With label smoothing it should approach log((K − 1)(1 − ε)/ε) instead of growing without bound.
 */
export function LogitGapChart({
  evals,
  classes,
  epsilon,
  overlays = [],
}: {
  evals: EvalResult[];
  overlays?: OverlaySeries[];
  classes: number;
  epsilon: number;
}) {
  const theory = theoreticalLogitGap(classes, epsilon);
  const finiteTheory = Number.isFinite(theory) ? theory : null;
  const last = evals.at(-1);
  const caption = theoryCaption(classes, epsilon);

  return (
    <ChartCard
      id="gap-chart"
      title="Logit gap"
      subtitle="Max logit minus the mean of the other logits, per validation image (paper Fig. 4b)."
      readout={
        <>
          <span>
            Mean gap:{' '}
            <strong data-testid="mean-gap">{last ? formatNumber(last.meanGap, 4) : '—'}</strong>
            {last && ` (epoch ${last.epoch}, ${last.gaps.length} images)`}
          </span>
          <span className="theory" data-testid="theory-gap" data-value={finiteTheory ?? 'Infinity'}>
            {caption} (K = {classes}, ε = {epsilon})
          </span>
        </>
      }
    >
      {!last && !overlays.some((o) => o.evals.length > 0) ? (
        <EmptyChart>The gap appears after the first evaluation.</EmptyChart>
      ) : !last ? (
        // No shown run (a race): the compared runs' mean gaps; histograms are per run.
        <div>
          <h4>Mean gap per epoch</h4>
          <MeanGapPerEpoch evals={evals} theory={finiteTheory} overlays={overlays} />
        </div>
      ) : (
        <div className="chart-pair">
          <div>
            <h4>Mean gap per epoch</h4>
            <MeanGapPerEpoch evals={evals} theory={finiteTheory} overlays={overlays} />
          </div>
          <div>
            <h4>Per-image gaps, last evaluation</h4>
            <GapHistogram gaps={last.gaps} theory={finiteTheory} />
          </div>
        </div>
      )}
    </ChartCard>
  );
}
