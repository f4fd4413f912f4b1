import { expect, test, type Page } from '@playwright/test';
import { FAILPOINTS_STORAGE_KEY } from '../src/config/failpoints';
import { gotoApp, screenshot, TINY_RUN, TRAINING_TIMEOUT, trackPageErrors } from './helpers';

/**
 * GPU faults in the page, injected through the failpoints' localStorage key (never a URL
 * parameter): kernels that do not compile or give wrong results are dropped with a notice and
 * the run finishes; a GPU error inside a step fails the run, naming it, and its checkpoint stays
 * for Resume.
 */

async function setFailpoints(page: Page, failpoints: string | null): Promise<void> {
  await page.evaluate(
    ({ key, value }) => {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    },
    { key: FAILPOINTS_STORAGE_KEY, value: failpoints },
  );
  // The worker reads them when it starts: a reload starts a new one.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Tricks Playground', level: 1 })).toBeVisible();
}

test('kernels that do not compile or give wrong results are dropped with notices; the run finishes', async ({
  page,
}) => {
  test.setTimeout(TRAINING_TIMEOUT + 60_000);
  const errors = trackPageErrors(page);
  await gotoApp(page, `${TINY_RUN}&kernels=auto`);
  await setFailpoints(page, 'compile:tiled-64x64, wrong:direct');
  await expect(page.getByTestId('failpoints')).toHaveText(
    'Failpoints (testing): compile:tiled-64x64, wrong:direct',
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  const notices = page.getByTestId('run-notices');
  // One notice per excluded kernel: tiled-64x64's sum pass, shared with the other tile shapes,
  // does not take them down with it.
  await expect(notices.locator('p')).toHaveCount(2);
  await expect(notices).toContainText(
    /tiled-64x64 does not compile on this GPU \(.+\); not used there\./,
  );
  await expect(notices).toContainText(
    /direct gives wrong results on this GPU \(.+\); not used there\./,
  );
  await screenshot(page, 'kernels-excluded');
  await setFailpoints(page, null);
  expect(errors).toEqual([]);
});

test('a URL cannot switch failpoints on', async ({ page }) => {
  await gotoApp(page, `${TINY_RUN}&failpoints=gpu-error:1&TRICKS_FAILPOINTS=gpu-error:1`);
  await expect(page.getByTestId('backend-banner')).toHaveAttribute('data-backend', 'webgpu', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('failpoints')).toHaveCount(0);
});

test('a GPU error inside a step fails the run, naming it; Resume continues from the kept checkpoint', async ({
  page,
}) => {
  test.setTimeout(2 * TRAINING_TIMEOUT);
  const errors = trackPageErrors(page);
  // 4 steps per epoch, 3 epochs: the error comes in step 6, after the checkpoint of step 4.
  await gotoApp(page, TINY_RUN.replace('epochs=1', 'epochs=3'));
  await setFailpoints(page, 'gpu-error:6');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const phase = page.getByTestId('run-phase');
  await expect(phase).toHaveAttribute('data-phase', 'failed', { timeout: TRAINING_TIMEOUT });
  const failure = page.getByRole('alert').filter({ hasText: 'Run r1 failed' });
  await expect(failure).toContainText('GPU validation error while training');
  await expect(failure).toContainText('failpoint gpu-error:6');
  await expect(failure).toContainText('The checkpoint of step 4 is kept.');
  await expect(failure).toContainText(
    'Its Resume button under Runs continues from the checkpoint of step 4.',
  );
  // No loss of the rejected step or after it reached the chart.
  const points = Number(await page.getByTestId('last-loss').getAttribute('data-points'));
  expect(points).toBeLessThan(6);
  await screenshot(page, 'gpu-error-failed');

  // Without the failpoint, the failed run resumes from its checkpoint and finishes.
  await setFailpoints(page, null);
  const row = page.locator('tr[data-run="r1"]');
  await expect(row).toHaveAttribute('data-status', 'failed');
  const resume = row.getByRole('button', { name: 'Resume r1 from its checkpoint of step 4' });
  await expect(resume).toBeEnabled({ timeout: 60_000 });
  await resume.click();
  await expect(phase).toHaveAttribute('data-phase', 'finished', { timeout: TRAINING_TIMEOUT });
  await expect(page.getByTestId('step')).toHaveText('12 / 12');
  await expect(row).toHaveAttribute('data-status', 'finished');
  expect(errors).toEqual([]);
});
