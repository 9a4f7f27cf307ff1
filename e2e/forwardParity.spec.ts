/**
 * The PyTorch-made LinkNet34 forward fixture (../shared/fixtures) must also match on the GPU
 * backends in real Chromium (SwiftShader here): one eval-mode forward pass per backend, errors
 * measured in the page (src/testing/fixtureParity.ts) and asserted here so a failure shows them.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURES_DIR } from '../test/paths';
import type { ForwardParityResult } from '../src/testing/fixtureParity';

const WEIGHTS = 'linknet34_weights.safetensors';
const FORWARD = 'linknet34_forward.safetensors';
const FIXTURE_FILES = new Set([WEIGHTS, FORWARD]);

/** Backend selection probes, initialises and self-tests on SwiftShader. */
const BACKEND_READY_MS = 180_000;
/** Shader compilation for a whole LinkNet34 on SwiftShader takes minutes. */
const FORWARD_MS = 420_000;

const PROB_ABS_TOLERANCE = 1e-4;
const RELATIVE_TOLERANCE = 1e-3;
const RELATIVE_KEYS = ['e1', 'e2', 'e3', 'e4', 'd4', 'd3', 'd2', 'd1', 'logits'] as const;

async function serveFixtures(page: Page): Promise<void> {
  await page.route('**/__fixtures__/*', async (route) => {
    const name = basename(new URL(route.request().url()).pathname);
    if (!FIXTURE_FILES.has(name)) return route.fulfill({ status: 404, body: `no fixture ${name}` });
    await route.fulfill({
      status: 200,
      contentType: 'application/octet-stream',
      body: readFileSync(resolve(FIXTURES_DIR, name)),
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function table(result: ForwardParityResult): string {
  return Object.entries(result.errors)
    .map(([k, e]) => `${k.padEnd(6)} rel ${e.relative.toExponential(2)}  abs ${e.maxAbs.toExponential(2)}  max|ref| ${e.maxRef.toPrecision(4)}${e.nonFinite ? `  non-finite ${e.nonFinite}` : ''}`)
    .join('\n');
}

for (const backend of ['webgpu', 'webgl'] as const) {
  test(`LinkNet34 forward fixture matches PyTorch on ${backend}`, async ({ page }, testInfo) => {
    test.setTimeout(BACKEND_READY_MS + FORWARD_MS + 60_000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text().slice(0, 500)}`);
    });
    await serveFixtures(page);

    const started = Date.now();
    await page.goto(`/?backend=${backend}`);
    const badge = page.getByTestId('backend-badge');
    await expect(badge).toHaveAttribute('data-status', /ready|failed/, { timeout: BACKEND_READY_MS });
    await expect(page.getByTestId('backend-name'), `backend selection fell back; page said:\n${problems.join('\n')}`).toHaveText(backend);
    const backendSeconds = (Date.now() - started) / 1000;

    const result = await withTimeout(
      page.evaluate(
        async ({ weights, forward, expected }) => {
          // A non-literal specifier so neither TypeScript nor Playwright's transform touches it;
          // the Vite dev server compiles the module with the page's own TensorFlow.js instance.
          const url = '/src/testing/fixtureParity.ts';
          const harness = (await import(/* @vite-ignore */ url)) as typeof import('../src/testing/fixtureParity');
          return harness.runForwardParity(weights, forward, expected);
        },
        { weights: `/__fixtures__/${WEIGHTS}`, forward: `/__fixtures__/${FORWARD}`, expected: backend },
      ),
      FORWARD_MS,
      `forward pass on ${backend}`,
    );

    const summary =
      `${backend}: backend ready after ${backendSeconds.toFixed(1)} s, weights ${result.loadSeconds.toFixed(1)} s, ` +
      `forward + readback ${result.forwardSeconds.toFixed(1)} s\n${table(result)}`;
    console.log(summary);
    await testInfo.attach(`forward-parity-${backend}`, { body: `${summary}\n\n${problems.join('\n')}`, contentType: 'text/plain' });
    const context = `\n${summary}\n${problems.length ? `page messages:\n${problems.join('\n')}` : ''}`;

    expect(result.backendBefore, context).toBe(backend);
    expect(result.backendAfter, context).toBe(backend);
    for (const key of [...RELATIVE_KEYS, 'probs'] as const) {
      const e = result.errors[key];
      expect(e.shape, `${key} shape${context}`).toEqual(e.expectedShape);
      expect(e.nonFinite, `${key} non-finite values${context}`).toBe(0);
    }
    for (const key of RELATIVE_KEYS) {
      expect(result.errors[key].relative, `${key} relative error on ${backend}${context}`).toBeLessThan(RELATIVE_TOLERANCE);
    }
    expect(result.errors.probs.maxAbs, `probs absolute error on ${backend}${context}`).toBeLessThan(PROB_ABS_TOLERANCE);
  });
}
