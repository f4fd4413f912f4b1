/**
 * Exits non-zero unless the WebGPU adapters that the tests rely on are there, so that a broken
 * setup fails here, in one line, instead of as a skipped or timed-out test:
 *   - Dawn in Node (npm `webgpu`; engine tests, CLI): an adapter with shader-f16;
 *   - wgpu in Deno (npm `deno`; `npm run test:wgpu`, Firefox's implementation): the same;
 *   - Chromium at CHROMIUM_PATH (project chromium-webgpu): an adapter with shader-f16;
 *   - Chromium at CHROMIUM_NO_F16_PATH, if set (project chromium-no-shader-f16): an adapter
 *     without shader-f16.
 * Run by scripts/webgpu-ci/setup.sh: `npx tsx scripts/webgpu-ci/check-adapters.ts`.
 */
import { spawnSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { create, globals } from 'webgpu';
import {
  CHROMIUM_ARGS,
  FORCE_SWIFTSHADER,
  WEBGPU_DEVELOPER_FEATURES,
} from '../../e2e/chromium-args.ts';

interface Found {
  description: string;
  f16: boolean;
}

async function dawnInNode(): Promise<Found | null> {
  Object.assign(globalThis, globals);
  const adapter = await create([]).requestAdapter();
  if (!adapter) return null;
  const { vendor, architecture, description } = adapter.info;
  return {
    description: [vendor, architecture, description].filter(Boolean).join(' / '),
    f16: adapter.features.has('shader-f16'),
  };
}

/** Deno's navigator.gpu (wgpu), asked from a Deno child process that prints what it found. */
async function wgpuInDeno(): Promise<Found | null> {
  const script = `
    const adapter = await navigator.gpu?.requestAdapter();
    const info = adapter && adapter.info;
    console.log(JSON.stringify(adapter ? {
      description: [info.vendor, info.architecture, info.description].filter(Boolean).join(' / '),
      f16: adapter.features.has('shader-f16'),
    } : null));`;
  const deno = spawnSync('node_modules/.bin/deno', ['eval', '--unstable-webgpu', script], {
    encoding: 'utf8',
  });
  if (deno.status !== 0) throw new Error(`deno failed: ${deno.stderr || deno.error?.message}`);
  return JSON.parse(deno.stdout.trim().split('\n').at(-1)!) as Found | null;
}

async function inChromium(executablePath: string, extraArgs: string[]): Promise<Found | null> {
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
  try {
    const page = await browser.newPage();
    // navigator.gpu exists only in secure contexts, which about:blank is not; a localhost page is.
    // Playwright answers the request itself; nothing needs to listen there.
    const url = 'http://localhost/webgpu-check';
    await page.route(url, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html>' }),
    );
    await page.goto(url);
    return await page.evaluate(async () => {
      const adapter = await navigator.gpu?.requestAdapter();
      if (!adapter) return null;
      const { vendor, architecture, description } = adapter.info;
      return {
        description: [vendor, architecture, description].filter(Boolean).join(' / '),
        f16: adapter.features.has('shader-f16'),
      };
    });
  } finally {
    await browser.close();
  }
}

async function main(): Promise<number> {
  const problems: string[] = [];
  const check = async (what: string, wantF16: boolean, find: () => Promise<Found | null>) => {
    let found: Found | null;
    try {
      found = await find();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!found) problems.push(`${what}: no WebGPU adapter`);
    else if (found.f16 !== wantF16) {
      problems.push(`${what}: ${found.description} ${found.f16 ? 'has' : 'lacks'} shader-f16`);
    } else {
      console.error(
        `webgpu-ci: ${what}: ${found.description}, shader-f16 ${found.f16 ? 'yes' : 'no'}`,
      );
    }
  };

  await check('Dawn in Node', true, dawnInNode);
  await check('wgpu in Deno', true, wgpuInDeno);
  const withF16 = process.env.CHROMIUM_PATH;
  if (!withF16) problems.push('CHROMIUM_PATH is not set');
  else await check(withF16, true, () => inChromium(withF16, [WEBGPU_DEVELOPER_FEATURES]));
  const withoutF16 = process.env.CHROMIUM_NO_F16_PATH;
  if (withoutF16) await check(withoutF16, false, () => inChromium(withoutF16, [FORCE_SWIFTSHADER]));

  for (const problem of problems) console.error(`webgpu-ci: FAILED: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
