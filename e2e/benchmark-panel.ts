import { expect, type Page } from '@playwright/test';

/** Shared by the Benchmark panel tests (benchmark.spec.ts, and no-shader-f16.spec.ts). */

export const BENCHMARK_TIMEOUT = 150_000;

export async function openBenchmarkPanel(page: Page): Promise<void> {
  await expect(page.getByTestId('backend-banner')).toHaveAttribute('data-backend', 'webgpu', {
    timeout: 60_000,
  });
  await page.getByRole('heading', { name: 'Benchmark', level: 2 }).click();
  await expect(page.getByRole('button', { name: 'Run benchmark' })).toBeVisible();
}

export async function smallestBenchmarkSettings(page: Page, timedSteps: number): Promise<void> {
  const panel = page.getByTestId('benchmark-panel');
  await panel.getByRole('button', { name: 'Quick' }).click();
  await panel.getByLabel('ResNet-18-style (32×32)').check();
  await panel.getByLabel('ResNet-50-style (64×64)').uncheck();
  await panel.getByLabel('32', { exact: true }).uncheck();
  await panel.getByLabel('128', { exact: true }).uncheck();
  await panel.getByLabel('Other batch size').fill('4');
  await panel.getByLabel('Width multiplier (both networks)').fill('0.0625');
  await panel.getByLabel('Warm-up steps').fill('0');
  await panel.getByLabel('Timed steps').fill(String(timedSteps));
  await panel.getByLabel('Leak check after step').fill('');
  await panel.getByLabel('Engine FP16 rows').uncheck();
}
