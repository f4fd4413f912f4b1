import type { IgnoredParam } from '../../config';
import type { BackendInfo } from '../../run/events';
import { BackendBanner } from '../components/BackendBanner';
import { IgnoredNotice } from '../components/IgnoredNotice';

/** What the page says before anything else: the backend, ignored link values, broken parts. */
export function PageNotices({
  backend,
  workerError,
  storageError,
  ignored,
}: {
  backend: BackendInfo | null;
  workerError: string | null;
  storageError: string | null;
  ignored: IgnoredParam[];
}) {
  return (
    <>
      <BackendBanner backend={backend} error={workerError} />
      <IgnoredNotice ignored={ignored} />
      {/* Without a backend the banner already says why the worker failed. */}
      {workerError && backend && (
        <div className="notice notice-error" role="alert">
          {workerError}
        </div>
      )}
      {storageError && (
        <div className="notice notice-error" role="alert">
          {storageError}
        </div>
      )}
    </>
  );
}
