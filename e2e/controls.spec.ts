import { expect, test } from '@playwright/test';
import { PARAM_KEYS, PARAMS } from '../src/config';
import { gotoApp, lrChartData, queryOf, screenshot, trackPageErrors } from './helpers';

test.describe('trick panel', () => {
  test('every parameter of the PARAMS table has a labeled control', async ({ page }) => {
    const errors = trackPageErrors(page);
    await gotoApp(page);
    for (const key of PARAM_KEYS) {
      const control = page.getByLabel(PARAMS[key].label, { exact: true });
      await expect(control, `control for ${key}`).toBeVisible();
      await expect(control).toBeEnabled();
    }
    // The paper's tricks by name.
    for (const label of [
      'Label smoothing',
      'Mixup',
      'Zero γ',
      'ResNet-B',
      'ResNet-C',
      'ResNet-D',
      'Cosine learning rate decay',
      'Learning rate warmup',
      'Linear scaling learning rate',
      'No bias decay',
      'Knowledge distillation',
    ]) {
      await expect(page.getByLabel(label, { exact: true })).toBeVisible();
    }
    for (const group of [
      'Model',
      'Data',
      'Optimization',
      '§3 Efficient training',
      '§4 Model tweaks',
      '§5 Training refinements',
    ]) {
      await expect(page.getByRole('group', { name: group, exact: true })).toBeVisible();
    }
    await screenshot(page, 'initial');
    await page.setViewportSize({ width: 420, height: 900 });
    await screenshot(page, 'narrow');
    expect(errors).toEqual([]);
  });

  test('changes go to the URL and a reload restores them', async ({ page }) => {
    await gotoApp(page);
    expect(page.url()).not.toContain('?');

    await page.getByLabel('Cosine learning rate decay', { exact: true }).check();
    await expect.poll(() => queryOf(page).get('cosine')).toBe('1');

    await page.getByLabel('Label smoothing', { exact: true }).fill('0.1');
    await expect.poll(() => queryOf(page).get('label_smoothing')).toBe('0.1');

    await page.getByLabel('Model', { exact: true }).selectOption('resnet50');
    await expect.poll(() => queryOf(page).get('model')).toBe('resnet50');

    await page.getByLabel('Learning rate warmup', { exact: true }).fill('2');
    await page.getByLabel('Zero γ', { exact: true }).check();
    await page.getByLabel('ResNet-D', { exact: true }).check();
    await page.getByLabel('Mixup', { exact: true }).fill('0.2');
    await expect.poll(() => queryOf(page).get('mixup')).toBe('0.2');
    const before = page.url();

    // Unchecking returns to the default, which leaves the URL.
    await page.getByLabel('ResNet-D', { exact: true }).uncheck();
    await expect.poll(() => queryOf(page).has('tweak_d')).toBe(false);
    await page.getByLabel('ResNet-D', { exact: true }).check();
    await expect.poll(() => page.url()).toBe(before);

    await page.reload();
    await expect(page.getByLabel('Cosine learning rate decay', { exact: true })).toBeChecked();
    await expect(page.getByLabel('Label smoothing', { exact: true })).toHaveValue('0.1');
    await expect(page.getByLabel('Model', { exact: true })).toHaveValue('resnet50');
    await expect(page.getByLabel('Learning rate warmup', { exact: true })).toHaveValue('2');
    await expect(page.getByLabel('Zero γ', { exact: true })).toBeChecked();
    await expect(page.getByLabel('ResNet-D', { exact: true })).toBeChecked();
    await expect(page.getByLabel('Mixup', { exact: true })).toHaveValue('0.2');
    await expect(page.getByLabel('No bias decay', { exact: true })).not.toBeChecked();
    expect(page.url()).toBe(before);
  });

  test('an out-of-range number is explained and not written to the URL', async ({ page }) => {
    await gotoApp(page);
    const batch = page.getByLabel('Batch size', { exact: true });
    await batch.fill('5000');
    await expect(page.getByText('Batch size must be at most 1024')).toBeVisible();
    expect(queryOf(page).has('batch')).toBe(false);
    await batch.fill('64');
    await expect.poll(() => queryOf(page).get('batch')).toBe('64');
  });

  test('the learning-rate chart follows cosine, warmup and linear scaling', async ({ page }) => {
    await gotoApp(page);
    const base = await lrChartData(page);
    expect(base.decay).toBe('step');
    expect(Number(base['peak-lr'])).toBeCloseTo(0.1);
    expect(Number(base['last-lr'])).toBeCloseTo(0.0001, 6);
    expect(Number(base.points)).toBeGreaterThan(10);

    await page.getByLabel('Cosine learning rate decay', { exact: true }).check();
    await expect.poll(async () => (await lrChartData(page)).decay).toBe('cosine');
    const cosine = await lrChartData(page);
    // Default: 12 epochs × 40 steps = 480 steps, no warmup; the last update is t = 479 of T = 480:
    // ½(1 + cos(479π/480))·0.1 = 0.05·(1 − cos(π/480)) ≈ 1.0709e-6 (paper Eq. (1)).
    expect(Number(cosine['total-steps'])).toBe(480);
    const lastCosine = 0.05 * (1 - Math.cos(Math.PI / 480));
    expect(Number(cosine['last-lr']) / lastCosine).toBeCloseTo(1, 9);
    expect(lastCosine).toBeCloseTo(1.0709e-6, 10);

    await page.getByLabel('Learning rate warmup', { exact: true }).fill('3');
    await expect
      .poll(async () => Number((await lrChartData(page))['warmup-steps']))
      .toBeGreaterThan(0);
    const warm = await lrChartData(page);
    // Default: 5000 images / batch 128 = 39 full steps and one of 8 images, so 40 steps per
    // epoch (every image once per epoch); warmup over 3 epochs.
    expect(Number(warm['warmup-steps'])).toBe(3 * 40);
    expect(Number(warm['first-lr'])).toBeCloseTo(0.1 / (3 * 40), 6);

    await page.getByLabel('Linear scaling learning rate', { exact: true }).check();
    await expect
      .poll(async () => Number((await lrChartData(page))['peak-lr']))
      .toBeCloseTo((0.1 * 128) / 256);
  });

  test('architecture summary and model-specific notes', async ({ page }) => {
    await gotoApp(page);
    const summary = page.getByTestId('arch-summary');
    await expect(summary).toContainText(
      /[\d.]+ M parameters · [\d.]+ [kMG] multiply-adds at 32×32/,
    );
    const resnetBNote = page.getByText(
      'No effect on basic-block ResNets: their first 3×3 conv already strides',
    );
    await expect(resnetBNote).toBeVisible();
    // Defaults: ResNet-18 at width 1/4 (stages of 16, 32, 64, 128 channels), the small 3×3 stem
    // (32 px), 10 classes. Stem 3·9·16 + 2·16 = 464; stages 9,344 + 33,088 + 131,712 + 525,568
    // (two basic blocks each, 1×1 projections where the width or stride changes); fc 128·10 + 10:
    // 701,466.
    await expect(page.getByTestId('arch-params')).toHaveText('0.70 M parameters');

    // ResNet-50 at width 1/4: bottlenecks of 16, 32, 64, 128 (×4 out), 3 + 4 + 6 + 3 blocks. Stem
    // 464; stages 14,016 + 77,568 + 447,488 + 939,520; fc 512·10 + 10 = 5,130: 1,484,186.
    await page.getByLabel('Model', { exact: true }).selectOption('resnet50');
    await expect(resnetBNote).toHaveCount(0);
    await expect(page.getByTestId('arch-params')).toHaveText('1.48 M parameters');

    // ResNet-50 at 224×224 with 1000 classes has 25.56 M parameters (paper Table 5: 25 M).
    await page.getByLabel('Width multiplier', { exact: true }).fill('1');
    await page.getByLabel('Input size', { exact: true }).fill('224');
    await page.getByLabel('Classes (summary only)', { exact: true }).fill('1000');
    await expect(page.getByTestId('arch-params')).toHaveText('25.56 M parameters');
    // Paper Table 5: ResNet-50 3.8 G, ResNet-50-B 4.1 G multiply-adds.
    await expect(page.getByTestId('arch-macs')).toHaveText('3.86 G multiply-adds');
    await page.getByLabel('ResNet-B', { exact: true }).check();
    await expect(page.getByTestId('arch-macs')).toHaveText('4.09 G multiply-adds');

    await page.getByText('Layer table').click();
    await expect(page.getByRole('cell', { name: 'fc', exact: true })).toBeVisible();

    // The smoothing note says which formula the paper uses.
    await expect(page.getByText(/Follows the paper \(Eq\. 4\)/)).toBeVisible();
  });

  test('copy link puts the full URL on the clipboard', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await gotoApp(page, 'cosine=1');
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(page.url());
    expect(copied).toContain('cosine=1');
  });
});
