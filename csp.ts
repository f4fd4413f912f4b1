import type { Plugin } from 'vite';

/**
 * The Content-Security-Policy of the built app: only its own scripts and workers, no eval, no
 * plugins. connect-src stays open to http(s) because users may enter dataset URLs of any host;
 * e2e/security.spec.ts checks that the app itself contacts no other host. Build-only: the dev
 * server injects inline scripts for hot reload.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  // recharts and React set inline style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' https: http: data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function contentSecurityPolicy(): Plugin {
  return {
    name: 'tricks-playground-csp',
    apply: 'build',
    transformIndexHtml(html) {
      const charset = '<meta charset="UTF-8" />';
      if (!html.includes(charset))
        throw new Error(`index.html lacks ${charset}; cannot place the CSP`);
      return html.replace(
        charset,
        `${charset}\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`,
      );
    },
  };
}
