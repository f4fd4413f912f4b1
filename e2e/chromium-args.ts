/**
 * Command-line flags of headless Chromium for the WebGPU tests (playwright.config.ts and
 * scripts/webgpu-ci/check-adapters.ts, so that the setup checks the browser the tests get).
 * The networking flags stop Chromium's own background requests: CI networks refuse them (each
 * refusal is retried) and e2e/security.spec.ts must see only the app's requests.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Makes `adapter.info.description` name the driver (e.g. "llvmpipe …") for the backend banner. */
export const WEBGPU_DEVELOPER_FEATURES = '--enable-webgpu-developer-features';

/**
 * Forces Chromium's SwiftShader WebGPU adapter, which has no shader-f16, even on a machine with a
 * GPU (project chromium-no-shader-f16). On Debian's Chromium without a GPU it is the adapter anyway.
 */
export const FORCE_SWIFTSHADER = '--use-webgpu-adapter=swiftshader';
