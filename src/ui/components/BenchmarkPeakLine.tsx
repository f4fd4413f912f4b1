import { formatMs, type LargestConv, type RooflinePeaks } from '../../benchmark-report/report';
import { formatPercent } from '../format';

/** Both roofline peaks and the largest convolution, or which of them the run ended before. */
export function BenchmarkPeakLine({
  peaks,
  largestConv,
}: {
  peaks: RooflinePeaks | null;
  largestConv: LargestConv | null;
}) {
  if (peaks === null) {
    return (
      <p className="small muted" data-testid="benchmark-peak">
        Peaks: not measured (the run ended before them).
      </p>
    );
  }
  return (
    <p className="small" data-testid="benchmark-peak">
      FMA peak <strong>{peaks.gflops.toFixed(1)} GFLOP/s</strong> (one{' '}
      {formatMs(peaks.fmaDispatchMs)} ms dispatch); memory bandwidth peak{' '}
      <strong>{peaks.gbps.toFixed(1)} GB/s</strong> (a streaming copy, one{' '}
      {formatMs(peaks.copyDispatchMs)} ms dispatch);{' '}
      {largestConv ? (
        <>
          largest convolution {largestConv.name} ({largestConv.shape}, f32 forward,{' '}
          {largestConv.kernel} kernel) <strong>{largestConv.gflops.toFixed(1)} GFLOP/s</strong> ={' '}
          {formatPercent(largestConv.gflops / peaks.gflops)} of the FMA peak.
        </>
      ) : (
        'largest convolution: not measured (the run ended before it).'
      )}
    </p>
  );
}
