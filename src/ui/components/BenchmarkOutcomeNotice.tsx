import type { BenchmarkOutcome } from '../../worker/protocol';

/** Why a stopped or failed run ended, and whether what it measured is shown below. */
export function BenchmarkOutcomeNotice({
  outcome,
  measured,
}: {
  outcome: BenchmarkOutcome;
  /** The run measured something before it ended. */
  measured: boolean;
}) {
  if (outcome.status === 'stopped') {
    return (
      <p className="notice" role="status" data-testid="benchmark-status">
        {outcome.message}{' '}
        {measured
          ? 'Everything measured before the stop is below; a ratio whose rows were not measured says so, and the JSON report is marked partial.'
          : 'Nothing had been measured yet.'}
      </p>
    );
  }
  if (outcome.status === 'failed') {
    return (
      <p className="notice notice-error" role="alert" data-testid="benchmark-status">
        {outcome.message}
        {measured &&
          ' What was measured before the failure is below; the JSON report is marked partial.'}
      </p>
    );
  }
  return null;
}
