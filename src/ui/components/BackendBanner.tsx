import type { BackendInfo, BackendName } from '../../run/events';

const NAMES: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', cpu: 'CPU' };

/** Which TensorFlow.js backend trains, on which adapter, and why not WebGPU when it isn't. */
export function BackendBanner({
  backend,
  error,
}: {
  backend: BackendInfo | null;
  error: string | null;
}) {
  if (error && !backend) {
    return (
      <div className="banner banner-error" role="alert" data-testid="backend-banner">
        Backend: unavailable. {error}
      </div>
    );
  }
  if (!backend) {
    return (
      <div className="banner" role="status" data-testid="backend-banner" data-backend="">
        Backend: starting…
      </div>
    );
  }
  const fallback = backend.backend !== 'webgpu';
  return (
    <div
      className={`banner ${fallback ? 'banner-warning' : 'banner-ok'}`}
      role="status"
      data-testid="backend-banner"
      data-backend={backend.backend}
    >
      <span>
        Backend: <strong>{NAMES[backend.backend]}</strong>
      </span>
      <span>Adapter: {backend.adapter || 'unknown'}</span>
      <span>shader-f16: {backend.shaderF16 ? 'available' : 'not available'}</span>
      {backend.backend === 'webgpu' && (
        <span>
          GPU timestamps:{' '}
          {backend.timestampQuery ? 'available' : 'not available (kernels are timed by the clock)'}
        </span>
      )}
      {backend.failpoints && (
        <span className="banner-reason" data-testid="failpoints">
          Failpoints (testing): {backend.failpoints.active || 'none valid'}
          {backend.failpoints.refused.length > 0 &&
            `; refused: ${backend.failpoints.refused.join('; ')}`}
        </span>
      )}
      {fallback && (
        <span className="banner-reason">
          Not WebGPU because: {backend.fallbackReason || 'no reason reported'}. Training will be
          much slower.
        </span>
      )}
    </div>
  );
}
