/**
 * The Viewer's threshold and morphology search on the validation split: the sample dataset, a
 * small seeded LinkNet on the wasm backend, the search runs over every validation frame (progress
 * shown), draws both classes' curves and a best per class, and "Apply best" sets the viewer's
 * threshold and morphology controls to the suggested values.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { encodeGrayPng } from '../src/io/png';
import { formatThreshold } from '../src/viewer/thresholdScale';

/**
 * The studio on `backend` with the sample dataset and a seeded resnet18 LinkNet (64x160 input), in
 * the Viewer tab: the page's errors from then on, and the dataset's pair counts.
 */
async function sampleAndSmallModel(page: Page, backend: string): Promise<{ errors: string[]; pairs: number; valPairs: number }> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/?backend=${backend}`);
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await page.getByTestId('tab-dataset').click();
  await page.getByTestId('dataset-use-sample').click();
  await expect(page.getByTestId('dataset-panel')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  const count = async (testId: string) => Number(await page.getByTestId(testId).getAttribute('data-value'));
  const pairs = await count('dataset-pairs-total');
  const valPairs = await count('dataset-pairs-val');
  await page.getByTestId('tab-viewer').click();
  await page.getByTestId('encoder-select').selectOption('resnet18');
  await page.getByTestId('input-height').fill('64');
  await page.getByTestId('input-width').fill('160');
  await page.getByTestId('new-model').click();
  await expect(page.getByTestId('current-model')).toHaveAttribute('data-state', 'loaded', { timeout: 120_000 });
  return { errors, pairs, valPairs };
}

test('threshold search on the sample dataset\'s validation split, then apply the best', async ({ page }, info) => {
  test.setTimeout(150_000);
  const t0 = Date.now();
  const mark = (what: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  // wasm (morphology by the CPU reference); SWEEP_BACKEND=webgpu tries the backend-ops path.
  const { errors, valPairs: valFrames } = await sampleAndSmallModel(page, process.env.SWEEP_BACKEND ?? 'wasm');
  mark(`sample dataset and model ready (${valFrames} validation frames)`);
  expect(valFrames).toBeGreaterThan(0);

  // Settings the search will replace.
  await page.getByTestId('preset-neutral').click();
  // Cancel stops a search at its next turn; the page keeps working.
  await page.getByTestId('sweep-run').click();
  await page.getByTestId('sweep-cancel').click();
  await expect(page.getByTestId('sweep-panel')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.getByTestId('sweep-cancelled')).toBeVisible();
  await expect(page.getByTestId('sweep-best')).toHaveCount(0);
  mark('cancelled');
  await page.getByTestId('sweep-run').click();
  await expect(page.getByTestId('sweep-progress')).toBeVisible();
  await expect(page.getByTestId('sweep-panel')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  mark('search done');
  await expect(page.getByTestId('sweep-error')).toHaveCount(0);

  // The surface: one curve per class over every slider position, plus the morphology candidates.
  for (const cls of ['car', 'road'] as const) {
    await expect(page.getByTestId(`sweep-curve-${cls}`)).toBeVisible();
    await expect(page.getByTestId(`sweep-line-${cls}-0`)).toHaveAttribute('data-points', '1001');
    await expect(page.getByTestId(`sweep-line-${cls}-2`)).toHaveAttribute('data-points', '11');
  }
  const best = async (cls: 'car' | 'road') => {
    const row = page.getByTestId(`sweep-best-${cls}`);
    return { threshold: Number(await row.getAttribute('data-threshold')), f: Number(await row.getAttribute('data-f')), morphology: await row.getAttribute('data-morphology') };
  };
  const car = await best('car');
  const road = await best('road');
  const score = Number(await page.getByTestId('sweep-best').getAttribute('data-score'));
  console.log(`best: vehicle > ${car.threshold} (${car.morphology}) F2 ${car.f}; road > ${road.threshold} (${road.morphology}) F0.5 ${road.f}; score ${score}; ${await page.getByTestId('sweep-best-score').innerText()}`);
  expect(car.f).toBeGreaterThan(0);
  expect(road.f).toBeGreaterThan(0);
  expect(score).toBeCloseTo((car.f + road.f) / 2, 12);
  await expect(page.getByTestId('sweep-best-score')).toContainText(`over ${valFrames} frame(s)`);
  await page.getByTestId('sweep-panel').screenshot({ path: info.outputPath('sweep-panel.png') });
  await page.getByTestId('sweep-panel').screenshot({ path: '/tmp/sweep-panel.png' });

  await page.getByTestId('sweep-apply').click();
  await expect(page.getByTestId('threshold-car-input')).toHaveValue(formatThreshold(car.threshold));
  await expect(page.getByTestId('threshold-road-input')).toHaveValue(formatThreshold(road.threshold));
  await expect(page.getByTestId('morph-car-op')).toHaveValue(car.morphology!);
  await expect(page.getByTestId('morph-road-op')).toHaveValue(road.morphology!);
  const settings = await page.evaluate(() => (globalThis as unknown as { __viewerStore: { getState(): { settings: { car: { threshold: number; morphology: { op: string } }; road: { threshold: number; morphology: { op: string } } } } } }).__viewerStore.getState().settings);
  expect(settings.car.threshold).toBe(car.threshold);
  expect(settings.road.threshold).toBe(road.threshold);
  expect(settings.car.morphology.op).toBe(car.morphology);
  expect(settings.road.morphology.op).toBe(road.morphology);
  mark('applied');
  // A new model: the result found with the old one goes.
  await page.getByTestId('new-model').click();
  await expect(page.getByTestId('sweep-best')).toHaveCount(0);
  await expect(page.getByTestId('sweep-panel')).toHaveAttribute('data-status', 'idle');
  expect(errors).toEqual([]);
});

test("frames by score: every frame scored alone at the viewer's settings, the worst first, and opened from the list with that score", async ({ page }) => {
  test.setTimeout(150_000);
  const { errors, pairs: total } = await sampleAndSmallModel(page, 'wasm');
  // Thresholds at which an untrained model's masks differ from frame to frame.
  for (const cls of ['car', 'road'] as const) {
    await page.getByTestId(`threshold-${cls}-input`).fill('0.3');
    await page.getByTestId(`threshold-${cls}-input`).press('Enter');
  }

  await page.getByTestId('ranking-scope').selectOption('all');
  await page.getByTestId('ranking-run').click();
  await expect(page.getByTestId('ranking-panel')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('ranking-error')).toHaveCount(0);
  await expect(page.getByTestId('ranking-skipped')).toHaveCount(0);
  // The ranking decoded its pairs without taking the Dataset panel's selection (the first pair, still shown there)...
  await page.getByTestId('tab-dataset').click();
  await expect(page.getByTestId('preview-canvas')).toHaveAttribute('data-index', '0');
  await expect(page.getByTestId('preview-canvas')).toHaveAttribute('data-status', 'ready');
  // ...so pairs open side by side (the viewer stepping while a ranking or search runs): each comes whole, none waits on another.
  const opened = await page.evaluate(async (url) => {
    const frames = (await import(/* @vite-ignore */ url)) as typeof import('../src/viewer/datasetFrames');
    const list = frames.datasetFrameList().slice(0, 4);
    const loaded = await Promise.all(list.map((f) => frames.loadDatasetFrame(f.index, f.path)));
    return loaded.map((l) => [l.pixels.width, l.pixels.height, l.label.width, l.label.height, l.label.data.length]);
  }, '/src/viewer/datasetFrames.ts');
  expect(opened).toEqual(Array.from({ length: 4 }, () => [800, 600, 800, 600, 800 * 600 * 3]));
  await page.getByTestId('tab-viewer').click();
  const rowScores = async () => (await page.getByTestId('ranking-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-score')))));
  // Ten shown, the worst first; all of them on request.
  expect(await rowScores()).toHaveLength(Math.min(10, total));
  await page.getByTestId('ranking-show-all').click();
  const scores = await rowScores();
  expect(scores).toHaveLength(total);
  expect(scores).toEqual([...scores].sort((a, b) => a - b));
  expect(new Set(scores.map((s) => s.toFixed(4))).size).toBeGreaterThan(1);
  for (const s of scores) expect(s).toBeGreaterThanOrEqual(0);

  // The CSV: every frame, worst first, with the settings it was scored with.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ranking-csv').click()]);
  expect(download.suggestedFilename()).toBe('frame-scores_all.csv');
  const lines = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
  expect(lines[0]).toBe('rank,frame,pair_index,road_tp,road_fp,road_fn,vehicle_tp,vehicle_fp,vehicle_fn,f_road,f_vehicle,score,settings');
  expect(lines).toHaveLength(total + 1);
  expect(lines.slice(1).map((l) => Number(l.split(',')[11]).toFixed(4))).toEqual(scores.map((s) => s.toFixed(4)));
  expect(lines[1]).toContain('"vehicle > 0.3, road > 0.3, hood ');

  // The worst frame opens in the viewer with the score it was ranked with.
  const worst = page.getByTestId('ranking-row').first();
  const index = await worst.getAttribute('data-index');
  await worst.getByTestId('ranking-open').click();
  await expect(page.getByTestId('viewer-current')).toContainText(`${(await worst.getByTestId('ranking-open').innerText()).trim()} (with label)`);
  await expect(page.getByTestId('frame-scores')).toContainText(scores[0]!.toFixed(4), { timeout: 60_000 });
  await expect(page.locator(`[data-testid="ranking-row"][data-index="${index}"]`)).toHaveAttribute('aria-current', 'true');

  // "Step through": the viewer's list becomes the ranked frames, worst first, and → goes to the next worst.
  const names = (await page.getByTestId('ranking-open').allInnerTexts()).map((t) => t.trim());
  await page.getByTestId('ranking-step').click();
  await expect(page.getByTestId('viewer-position')).toHaveText(`1 / ${total}`);
  await expect(page.getByTestId('viewer-current')).toContainText(`${names[0]} (with label)`);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('viewer-position')).toHaveText(`2 / ${total}`);
  await expect(page.getByTestId('viewer-current')).toContainText(`${names[1]} (with label)`);
  await expect(page.getByTestId('frame-scores')).toContainText(scores[1]!.toFixed(4), { timeout: 60_000 });
  await expect(page.locator(`[data-testid="ranking-row"][data-index="${await page.getByTestId('ranking-row').nth(1).getAttribute('data-index')}"]`)).toHaveAttribute('aria-current', 'true');

  // Another hood, then another threshold: the list says it was scored with other settings.
  await expect(page.getByTestId('ranking-stale')).toHaveCount(0);
  const hood = new Uint8Array(800 * 600).fill(255, 496 * 800);
  await page.getByTestId('hood-input').setInputFiles({ name: 'hood.png', mimeType: 'image/png', buffer: Buffer.from(encodeGrayPng(hood, 800, 600)) });
  await expect(page.getByTestId('hood-source')).toHaveValue('imported');
  await expect(page.getByTestId('ranking-stale')).toBeVisible();
  await page.getByTestId('hood-source').selectOption('dataset');
  await expect(page.getByTestId('ranking-stale')).toHaveCount(0);
  await page.getByTestId('threshold-road-input').fill('0.4');
  await page.getByTestId('threshold-road-input').press('Enter');
  await expect(page.getByTestId('ranking-stale')).toBeVisible();
  expect(errors).toEqual([]);
});
