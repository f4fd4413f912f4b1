import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { CONTENT_SECURITY_POLICY } from '../csp.ts';
import { TINY_RUN, TRAINING_TIMEOUT, gotoApp, trackPageErrors } from './helpers';

test('the built page carries the Content-Security-Policy', () => {
  const html = readFileSync(new URL('../dist/index.html', import.meta.url), 'utf8');
  expect(html).toContain(`content="${CONTENT_SECURITY_POLICY}"`);
  expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
  expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
});

test('loading and training contact no host but the app, with no CSP violation', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(TRAINING_TIMEOUT + 60_000);
  const origin = new URL(baseURL!).origin;
  const foreign: string[] = [];
  const violations: string[] = [];
  const errors = trackPageErrors(page);
  page.context().on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      foreign.push(url);
    }
  });
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
  });
  await gotoApp(page, `${TINY_RUN}&autorun=1`);
  await expect(page.getByText('finished', { exact: true }).first()).toBeVisible({
    timeout: TRAINING_TIMEOUT,
  });
  expect(foreign).toEqual([]);
  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
});
