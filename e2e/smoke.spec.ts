import { expect, test, type Page } from '@playwright/test';
import { inputSizeProblem } from '../src/model/config';
import { formatThreshold } from '../src/viewer/thresholdScale';

/** Backend selection probes, initialises and self-tests on SwiftShader: allow it time. */
const BACKEND_READY_MS = 180_000;

async function waitForBackend(page: Page): Promise<void> {
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-status', /ready|failed/, { timeout: BACKEND_READY_MS });
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-status', 'ready');
}

async function figure(page: Page, testId: string): Promise<number> {
  const raw = await page.getByTestId(testId).getAttribute('data-value');
  return Number(raw);
}

/** Uncaught errors, and errors the page logs (a failed request, the favicon's included). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  return errors;
}

test('opens on WebGPU and shows the LinkNet34 summary', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Segmentation Studio' })).toBeVisible();

  // Headless Chromium here gets a WebGPU adapter (SwiftShader) with --enable-unsafe-webgpu.
  const hasAdapter = await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter()), undefined);
  expect(hasAdapter).toBe(true);

  await waitForBackend(page);
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await expect(page.getByTestId('backend-forced')).toHaveCount(0);
  const adapter = (await page.getByTestId('backend-adapter').textContent())?.trim() ?? '';
  expect(adapter.length).toBeGreaterThan(0);

  await expect(page.getByTestId('model-name')).toHaveText('LinkNet34');
  await expect(page.getByTestId('input-height')).toHaveValue('320');
  await expect(page.getByTestId('input-width')).toHaveValue('800');
  const parameters = await figure(page, 'model-parameters');
  expect(parameters).toBeGreaterThan(21.5e6);
  expect(parameters).toBeLessThan(21.8e6);
  const gmac = await figure(page, 'model-gmac');
  expect(gmac).toBeGreaterThan(22);
  expect(gmac).toBeLessThan(23.5);
  expect(await figure(page, 'model-training-memory')).toBeGreaterThan(0);
  await expect(page.getByTestId('input-spec')).toContainText('BGR');
  await expect(page.getByTestId('input-spec')).toContainText('205–525');

  // The three work areas exist as tabs.
  for (const tab of ['dataset', 'training', 'viewer']) await expect(page.getByTestId(`tab-${tab}`)).toBeVisible();

  await page.screenshot({ path: '/tmp/studio-smoke.png' });
  await page.getByTestId('backend-badge').click();
  await expect(page.getByRole('dialog', { name: 'Backend details' })).toBeVisible();
  await page.screenshot({ path: '/tmp/studio-smoke-backend.png' });
  // Escape closes the details, and so does a click anywhere else.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Backend details' })).toHaveCount(0);
  await page.getByTestId('backend-badge').click();
  await expect(page.getByRole('dialog', { name: 'Backend details' })).toBeVisible();
  await page.getByTestId('tab-dataset').click();
  await expect(page.getByRole('dialog', { name: 'Backend details' })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('?backend=cpu forces the CPU backend and says so', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await waitForBackend(page);
  await expect(page.getByTestId('backend-name')).toHaveText('cpu');
  await expect(page.getByTestId('backend-forced')).toBeVisible();
  await page.getByTestId('backend-badge').click();
  const reasons = page.getByTestId('backend-reasons');
  await expect(reasons).toContainText('WebGPU skipped: cpu forced by URL parameter ?backend=cpu');
  await expect(reasons).toContainText('WebGL skipped: cpu forced by URL parameter ?backend=cpu');
});

test('?backend=wasm loads the self-served wasm binaries', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await waitForBackend(page);
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  await expect(page.getByTestId('backend-forced')).toBeVisible();
});

test('an input size that is not a multiple of 32 is refused', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await expect(page.getByTestId('model-parameters')).toBeVisible();
  await page.getByTestId('input-height').fill('321');
  const problem = page.getByTestId('input-size-problem');
  await expect(problem).toHaveText(inputSizeProblem(321, 800)!);
  await expect(page.getByTestId('model-parameters')).toHaveCount(0);
  await page.getByTestId('input-height').fill('320');
  await expect(problem).toHaveCount(0);
  await expect(page.getByTestId('model-parameters')).toBeVisible();
});

test('the tabs follow the keyboard: arrows, Home and End move the selection and the focus', async ({ page }) => {
  await page.goto('/?backend=cpu');
  const tab = (id: string) => page.getByTestId(`tab-${id}`);
  await tab('dataset').focus();
  await page.keyboard.press('ArrowRight');
  await expect(tab('training')).toHaveAttribute('aria-selected', 'true');
  await expect(tab('training')).toBeFocused();
  await expect(page.getByTestId('training-panel')).toBeVisible();
  await page.keyboard.press('End');
  await expect(tab('viewer')).toBeFocused();
  await expect(page.getByTestId('viewer-panel')).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(tab('dataset')).toHaveAttribute('aria-selected', 'true');
  await expect(tab('dataset')).toBeFocused();
  // One tab stop: only the selected tab is in the Tab order.
  await expect(tab('training')).toHaveAttribute('tabindex', '-1');
  await expect(tab('dataset')).toHaveAttribute('tabindex', '0');
});

test("the viewer's post-processing and view survive a reload, and validation grades at its thresholds", async ({ page }) => {
  await page.goto('/?backend=cpu');
  await page.getByTestId('tab-viewer').click();
  await page.getByTestId('threshold-road-input').fill('0.8');
  await page.getByTestId('threshold-road-input').press('Enter');
  await page.getByTestId('morph-car-op').selectOption('close');
  await page.getByTestId('view-heat').click();
  await page.reload();
  await page.getByTestId('tab-viewer').click();
  await expect(page.getByTestId('threshold-road-input')).toHaveValue(formatThreshold(0.8));
  await expect(page.getByTestId('morph-car-op')).toHaveValue('close');
  await expect(page.getByTestId('view-heat')).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('tab-training').click();
  await expect(page.getByTestId('training-threshold-road')).toHaveValue('0.8');
  // What cannot be read back is dropped whole: the defaults come instead.
  await page.evaluate(() => localStorage.setItem('segmentation-studio.viewer', '{"settings": {"hood": "yes"}}'));
  await page.reload();
  await page.getByTestId('tab-viewer').click();
  await expect(page.getByTestId('threshold-road-input')).toHaveValue(formatThreshold(0.5));
  await expect(page.getByTestId('view-masks')).toHaveAttribute('aria-checked', 'true');
});
