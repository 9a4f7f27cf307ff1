/**
 * The in-browser fallback trains on wasm: with ?backend=wasm the page's wasm backend has the studio's
 * gradient kernels, and a small LinkNet learns a fixed batch (loss falls, tensors stay flat), with
 * the first step's loss equal to the CPU backend's.
 */
import { expect, test } from '@playwright/test';
import type { TrainingStepsResult } from '../src/testing/trainingSteps';

test('a LinkNet trains on the wasm backend in the browser', async ({ page }) => {
  test.setTimeout(480_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-status', /ready|failed/, { timeout: 180_000 });
  await expect(page.getByTestId('backend-name'), errors.join('\n')).toHaveText('wasm');

  const result: TrainingStepsResult = await page.evaluate(async () => {
    const url = '/src/testing/trainingSteps.ts';
    const harness = (await import(/* @vite-ignore */ url)) as typeof import('../src/testing/trainingSteps');
    return harness.runTrainingSteps('wasm', 4, 64);
  });
  console.log(`wasm in Chromium: losses ${result.losses.map((l) => l.toFixed(4)).join(' -> ')}, ${result.msPerStep.toFixed(0)} ms/step; CPU first loss ${result.cpuFirstLoss.toFixed(6)}`);

  expect(result.backend).toBe('wasm');
  expect(result.losses.every(Number.isFinite)).toBe(true);
  expect(Math.abs(result.losses[0] - result.cpuFirstLoss)).toBeLessThan(1e-4);
  expect(result.losses[3]).toBeLessThan(result.losses[0] - 0.01);
  expect(result.tensorsAtEnd).toBe(result.tensorsAfterStep2);
  expect(errors).toEqual([]);
});
