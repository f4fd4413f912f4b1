import { useState } from 'react';
import { reportJson } from '../../benchmark-report/derive';
import type { BenchReport } from '../../benchmark-report/report';
import { downloadFile } from '../download';

/** Copy and download of the JSON report, which says so when it is partial. */
export function BenchmarkReportActions({ report }: { report: BenchReport }) {
  const [copyState, setCopyState] = useState<string | null>(null);
  const json = reportJson(report);
  const what = report.complete ? 'JSON' : `Partial JSON report (${report.reason ?? 'incomplete'})`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(json);
      setCopyState(`${what} copied to the clipboard.`);
    } catch {
      setCopyState('Copy failed: the browser refused clipboard access; use Download JSON.');
    }
  };
  return (
    <>
      {!report.complete && (
        <p className="small muted" data-testid="benchmark-partial-json">
          The JSON report is partial (<code>&quot;complete&quot;: false</code>):{' '}
          {report.reason?.replace(/\.$/, '')}.
        </p>
      )}
      <div className="toolbar">
        <button type="button" onClick={() => void copy()}>
          Copy JSON
        </button>
        <button
          type="button"
          onClick={() =>
            downloadFile(
              report.complete
                ? 'tricks-playground-benchmark.json'
                : 'tricks-playground-benchmark-partial.json',
              json,
              'application/json',
            )
          }
        >
          Download JSON
        </button>
        <span role="status" className="copy-status small">
          {copyState}
        </span>
      </div>
    </>
  );
}
