import type { ParamKey } from '../../config';
import { EXPLANATIONS } from '../../experiments/explanations';
import { GapFigure, ScheduleFigure } from '../charts/lazy';
import { Tex } from './Tex';

/** The explanation card of a trick control, collapsed until opened. */
export function TrickExplainer({ paramKey }: { paramKey: ParamKey }) {
  const e = EXPLANATIONS[paramKey];
  if (!e) return null;
  return (
    <details className="explainer" data-testid={`explain-${paramKey}`}>
      <summary>Explain: {e.title}</summary>
      <Tex tex={e.tex} label={`Equation of ${e.title}`} />
      <p>
        <strong>Why it helps.</strong> {e.why}
      </p>
      <p>
        <strong>What to watch.</strong> {e.watch}
      </p>
      {e.figure === 'schedules' && <ScheduleFigure />}
      {e.figure === 'gap' && <GapFigure />}
      <p className="muted small">Paper {e.section}.</p>
    </details>
  );
}
