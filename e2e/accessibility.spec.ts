/**
 * Accessibility of each tab as a user meets it, checked with axe-core (WCAG 2 A/AA rules: names of
 * controls, table headers, contrast, ARIA roles): the dataset loaded, the viewer with a model's masks
 * over a frame, a training run going, and the popups open. wasm and a small model keep it quick.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

/** The rule violations on the page now, one line each (rule, impact, the first elements). */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

test('every tab, with data, a model, a run and popups open, has no accessibility violations', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  expect(await violations(page), 'on opening').toEqual([]);

  await page.getByRole('button', { name: 'Use sample dataset' }).click();
  await expect(page.getByTestId('dataset-panel')).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
  await page.getByTestId('geometry-scale').selectOption('0.125');
  expect(await violations(page), 'Dataset tab with the sample').toEqual([]);

  await page.getByTestId('encoder-select').selectOption('resnet18');
  await page.getByTestId('input-height').fill('64');
  await page.getByTestId('input-width').fill('160');
  await page.getByTestId('new-model').click();
  await expect(page.getByTestId('current-model')).toHaveAttribute('data-state', 'loaded', { timeout: 120_000 });
  await page.getByTestId('backend-badge').click();
  await page.getByTestId('export-button').click();
  expect(await violations(page), 'the backend details and the export menu open').toEqual([]);
  await page.keyboard.press('Escape');

  await page.getByTestId('tab-viewer').click();
  await page.getByTestId('viewer-open-dataset').click();
  await expect(page.getByTestId('pixel-counts')).toBeVisible({ timeout: 120_000 });
  expect(await violations(page), 'Viewer tab with masks over a frame').toEqual([]);

  await page.getByTestId('tab-training').click();
  await page.getByTestId('training-encoder').selectOption('resnet18');
  await page.getByTestId('training-batch').fill('2');
  await page.getByTestId('training-start').click();
  await expect(page.getByTestId('training-phase')).toHaveAttribute('data-value', 'running', { timeout: 120_000 });
  await expect(page.getByTestId('training-saved-run')).toHaveCount(1, { timeout: 60_000 });
  expect(await violations(page), 'Training tab with a run going').toEqual([]);
  await page.getByTestId('training-stop').click();
  await expect(page.getByTestId('training-phase')).toHaveAttribute('data-value', 'stopped', { timeout: 60_000 });
  expect(errors).toEqual([]);
});
