/**
 * Issue 5's promise, end to end: the page trains on the sample dataset (wasm backend, tiny input,
 * LinkNet18) until a best checkpoint appears; the best model is exported through the Training
 * tab (a download) and the hood through the Dataset tab; in Node the sample is written to disk
 * with the page's seed and size, the page's val frames picked out, and `eval --grade-at input`
 * scores the downloaded model on them with the score the page shows for the checkpoint.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { runEval } from '../src/cli/commands/eval';
import { runSample } from '../src/cli/commands/sample';
import type { CliIo } from '../src/cli/framework';
import { findChallengePairs } from '../src/node/imageFiles';

const APP = '/?backend=wasm';
const SHOTS = process.env.TRAINING_SHOTS ?? '/tmp';
/** The page's sample dataset (src/state/datasetStore.ts SAMPLE_DATASET). */
const PAGE_SAMPLE = { count: 24, seed: 7, width: 800, height: 600 };

async function value(page: Page, testId: string, attr = 'data-value'): Promise<number> {
  return Number(await page.getByTestId(testId).first().getAttribute(attr));
}

async function openTab(page: Page, tab: 'training' | 'dataset'): Promise<void> {
  await page.getByTestId(`tab-${tab}`).click();
  await expect(page.getByTestId(tab === 'training' ? 'training-panel' : 'dataset-split')).toBeVisible();
}

test('the best checkpoint exported from the Training tab scores the same in `eval --grade-at input`', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const tmp = mkdtempSync(join(tmpdir(), 'segstudio-best-eval-'));
  try {
    const t0 = Date.now();
    const mark = (what: string) => console.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await page.goto(APP);
    await openTab(page, 'training');
    await page.getByTestId('training-use-sample').click();
    await expect(page.getByTestId('training-data')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
    await expect(page.getByTestId('training-data-name')).toContainText(`seed ${PAGE_SAMPLE.seed}`);

    mark('sample loaded');
    // Tiny input, and a val split small enough that the validation previews name every val frame.
    await openTab(page, 'dataset');
    await page.getByTestId('geometry-scale').selectOption('0.125');
    await page.getByTestId('split-mode').selectOption('random');
    await page.getByTestId('split-ratio').fill('10');
    await expect(page.getByTestId('hood-source')).toHaveAttribute('data-source', 'estimated');
    const hoodPath = join(tmp, 'hood.png');
    const [hoodDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('hood-export').click()]);
    await hoodDownload.saveAs(hoodPath);

    await openTab(page, 'training');
    const valCount = await value(page, 'training-data-val');
    expect(valCount).toBeGreaterThanOrEqual(1);
    expect(valCount).toBeLessThanOrEqual(3);
    await page.getByTestId('training-encoder').selectOption('resnet18');
    await page.getByTestId('training-batch').fill('2');
    await page.getByTestId('training-epochs').fill('20');
    await page.getByTestId('training-validate-every').fill('1');
    await page.getByTestId('training-run-name').fill('best eval');
    await page.getByTestId('training-start').click();
    await expect(page.getByTestId('training-phase')).toHaveAttribute('data-value', 'running', { timeout: 120_000 });

    mark('running');
    // A few steps in, at 0.5 the masks are empty and every model scores 0. Near-zero thresholds
    // (live: a run starts with the viewer's) mark every pixel outside the hood as road and vehicle:
    // the score then rests on the frames, labels, crop, resize, hood and thresholds being the same
    // on both sides (that eval's predictions match the run's for a model is shown in
    // test/cli/evalParity.wasm.test.ts).
    await page.getByTestId('training-threshold-road').fill('0.001');
    await page.getByTestId('training-threshold-car').fill('0.001');
    await expect(page.getByTestId('training-threshold-car')).toHaveValue('0.001');
    // Until a best checkpoint graded at those thresholds appears; then stop, so it cannot change under the export.
    await expect.poll(() => value(page, 'training-best-score'), { timeout: 90_000, intervals: [500] }).toBeGreaterThan(0);
    mark('best checkpoint');
    await page.getByTestId('training-stop').click();
    await expect(page.getByTestId('training-phase')).toHaveAttribute('data-value', 'stopped', { timeout: 60_000 });
    const bestScore = await value(page, 'training-best-score');
    const bestShown = (await page.getByTestId('training-best-score').textContent())!.trim();
    const bestStep = await value(page, 'training-best-step');
    // The val frames' names in the previews ("sample 17.png": pair 17 of the generated set).
    const names = await page.locator('.tr-preview figcaption').allTextContents();
    expect(names).toHaveLength(valCount);
    const valIndices = names.map((n) => Number(/^sample (\d+)\.png$/.exec(n.trim())![1]));

    const modelPath = join(tmp, 'best.safetensors');
    const [modelDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('training-export-best').click()]);
    expect(modelDownload.suggestedFilename()).toMatch(/\.safetensors$/);
    await modelDownload.saveAs(modelPath);
    await page.screenshot({ path: `${SHOTS}/best-model-eval.png`, fullPage: true });

    mark('exported');
    // Node: the sample on disk (the `sample` command, the page's seed and size), the page's val frames in a folder.
    const all = join(tmp, 'sample');
    const quiet: CliIo = { stdout: () => undefined, stderr: () => undefined };
    runSample({ out: all, count: String(PAGE_SAMPLE.count), seed: String(PAGE_SAMPLE.seed), width: String(PAGE_SAMPLE.width), height: String(PAGE_SAMPLE.height) }, quiet);
    const byIndex = new Map(findChallengePairs(all).pairs.map((p) => [Number(/(\d+)\.png$/.exec(p.rgb)![1]), p]));
    const valDir = join(tmp, 'page-val');
    mkdirSync(join(valDir, 'CameraRGB'), { recursive: true });
    mkdirSync(join(valDir, 'CameraSeg'), { recursive: true });
    for (const i of valIndices) {
      copyFileSync(byIndex.get(i)!.rgb, join(valDir, 'CameraRGB', `${i}.png`));
      copyFileSync(byIndex.get(i)!.seg, join(valDir, 'CameraSeg', `${i}.png`));
    }
    expect(readFileSync(modelPath).byteLength).toBeGreaterThan(1000);
    const report = await runEval({ model: modelPath, data: valDir, hood: hoodPath, 'grade-at': 'input', backend: 'wasm' }, quiet);
    console.log(
      `page: best step ${bestStep}, score ${bestScore} (shown ${bestShown}), val frames ${valIndices.join(', ')}; ` +
        `eval --grade-at input: ${report.score} (thresholds ${JSON.stringify(report.thresholds)} from ${report.thresholdSource}, hood ${report.hood.pixels} px)`,
    );
    mark('evaluated');
    expect(report.gradeAt).toBe('input');
    expect(report.frames).toBe(valCount);
    expect(report.thresholdSource).toBe('model metadata');
    expect(report.thresholds).toEqual({ car: 0.001, road: 0.001 });
    expect(bestScore).toBeGreaterThan(0.05);
    expect(report.score.toFixed(4)).toBe(bestShown);
    expect(Math.abs(report.score - bestScore)).toBeLessThan(5e-5);
    expect(errors).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
