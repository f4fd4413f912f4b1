import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import { timmPythonUnavailable } from '../src/timm/python-probe';
import { decodeSafetensors } from '../src/timm/safetensors';
import { gotoApp, screenshot, TINY_RUN, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

const TIMM_FILES = ['model.safetensors', 'model.json', 'sample.safetensors', 'load_timm.py'];

const python = process.env.TIMM_PYTHON ?? 'python3';
const unavailable = timmPythonUnavailable(python);
/**
 * Without torch and timm the download is still checked, and the title says that timm's own load
 * was NOT RUN (CI has no torch): a run that shows no NOT RUN has loaded the files with timm.
 */
const timmLoad = unavailable
  ? `; timm's load_timm.py NOT RUN: ${unavailable}`
  : '; load_timm.py loads it into timm and reproduces its logits';

/** Clicks `button` and saves the `count` downloads it starts into `dir`, by suggested name. */
async function downloadAll(page: Page, click: () => Promise<void>, count: number, dir: string) {
  const downloads: Download[] = [];
  const done = new Promise<void>((resolve) => {
    page.on('download', (d) => {
      downloads.push(d);
      if (downloads.length === count) resolve();
    });
  });
  await click();
  await done;
  for (const d of downloads) await d.saveAs(join(dir, d.suggestedFilename()));
  return downloads.map((d) => d.suggestedFilename());
}

test(`a finished run downloads as a timm checkpoint: its four files, timm's names and shapes, a sample${timmLoad}`, async ({
  page,
}) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${TINY_RUN}&autorun=1`);
  const row = page.locator('.run-list tr[data-run="r1"]');
  await expect(row).toHaveAttribute('data-status', 'finished', { timeout: TRAINING_TIMEOUT });
  const button = page.getByRole('button', { name: 'Download r1 for PyTorch (timm)' });
  await expect(button).toBeEnabled();

  const dir = test.info().outputPath('timm');
  const names = await downloadAll(page, () => button.click(), TIMM_FILES.length, dir);
  expect(names.sort()).toEqual([...TIMM_FILES].sort());
  await expect(page.getByTestId('runs-message')).toContainText('r1 downloaded for timm');

  const weights = decodeSafetensors(readFileSync(join(dir, 'model.safetensors')));
  const byName = new Map(weights.tensors.map((t) => [t.name, t]));
  // ResNet-10 at width 1/16 on 32 px: the small stem (3×3, 4 channels), OIHW layout.
  expect(byName.get('conv1.weight')?.shape).toEqual([4, 3, 3, 3]);
  expect(byName.get('bn1.num_batches_tracked')?.dtype).toBe('I64');
  expect(byName.get('layer2.0.downsample.0.weight')?.shape).toEqual([8, 4, 1, 1]);
  expect(byName.get('fc.weight')?.shape).toEqual([10, 32]);
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  expect(modelJson.timm_kwargs).toMatchObject({ block: 'basic', layers: [1, 1, 1, 1] });
  expect(modelJson).toMatchObject({ small_stem: true, stem_out_channels: 4 });
  const sample = decodeSafetensors(readFileSync(join(dir, 'sample.safetensors')));
  expect(sample.tensors.map((t) => [t.name, t.shape])).toEqual([
    ['input', [8, 3, 32, 32]],
    ['logits', [8, 10]],
  ]);

  if (unavailable === null) {
    const run = spawnSync(python, [join(dir, 'load_timm.py'), dir], { encoding: 'utf8' });
    console.info(`load_timm.py on the page's download: ${run.stdout.trim()}`);
    expect(run.status, run.stdout + run.stderr).toBe(0);
  } else {
    test.info().annotations.push({ type: 'NOT RUN', description: `load_timm.py: ${unavailable}` });
    console.warn(`load_timm.py on the page's download: NOT RUN — ${unavailable}`);
  }
  expect(errors).toEqual([]);
});

test('a downloaded checkpoint loads back as a run: evaluated, in predictions, a teacher; mismatches are refused', async ({
  page,
}) => {
  test.setTimeout(3 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${TINY_RUN}&autorun=1`);
  const r1 = page.locator('.run-list tr[data-run="r1"]');
  await expect(r1).toHaveAttribute('data-status', 'finished', { timeout: TRAINING_TIMEOUT });
  const dir = test.info().outputPath('timm');
  await downloadAll(
    page,
    () => page.getByRole('button', { name: 'Download r1 for PyTorch (timm)' }).click(),
    TIMM_FILES.length,
    dir,
  );
  const r1Top1 = await r1.locator('td.num').textContent();

  const picker = page.getByLabel('Load checkpoint: model.json and model.safetensors');
  const message = page.getByTestId('runs-message');
  // Refusals name the first mismatch and add no run.
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const wrongDir = test.info().outputPath('wrong');
  mkdirSync(wrongDir, { recursive: true });
  writeFileSync(join(wrongDir, 'model.json'), JSON.stringify({ ...json, stem_out_channels: 8 }));
  writeFileSync(join(wrongDir, 'model.safetensors'), readFileSync(join(dir, 'model.safetensors')));
  await picker.setInputFiles([join(wrongDir, 'model.json'), join(wrongDir, 'model.safetensors')]);
  await expect(message).toContainText('stem_out_channels is 8, expected 4');
  await expect(message).toHaveAttribute('role', 'alert');
  writeFileSync(join(wrongDir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(wrongDir, 'model.safetensors'), Buffer.from('not a safetensors file'));
  await picker.setInputFiles([join(wrongDir, 'model.json'), join(wrongDir, 'model.safetensors')]);
  await expect(message).toContainText('Not a valid safetensors file');
  await expect(page.locator('.run-list tr[data-run="r2"]')).toHaveCount(0);

  // The export's four files load as r2, with r1's accuracy (same weights, same validation set).
  await picker.setInputFiles(TIMM_FILES.map((f) => join(dir, f)));
  await expect(message).toContainText('Loaded the checkpoint as r2', { timeout: TRAINING_TIMEOUT });
  const r2 = page.locator('.run-list tr[data-run="r2"]');
  await expect(r2).toHaveAttribute('data-status', 'finished');
  await expect(r2.locator('td.num')).toHaveText(r1Top1!);
  await expect(page.getByRole('button', { name: 'Show r2 in the charts' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(page.getByText('Run r2, evaluation after epoch 0')).toBeVisible();
  await screenshot(page, 'timm-checkpoint-loaded');

  // r2 teaches r3.
  const teacher = page.getByLabel('Knowledge distillation', { exact: true });
  await teacher.selectOption('r2');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.locator('.run-list tr[data-run="r3"]')).toHaveAttribute(
    'data-status',
    'finished',
    { timeout: TRAINING_TIMEOUT },
  );
  expect(errors).toEqual([]);
});
