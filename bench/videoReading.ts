/**
 * How fast the viewer's answer-file export can read a video's frames, the two ways it can
 * (bench/browser/videoReading.ts): decoded frame by frame with WebCodecs (in a worker, the next
 * frame made ahead, or in the page), or played through a <video> element and paused on each
 * presented frame. Headless Chromium through this checkout's
 * Vite dev server; a VP8 WebM of sample-dataset frames made in the page; each frame "processed" by
 * waiting --work ms (what a GPU network leaves the page); the readers alternate in pairs after one
 * warm-up of each. Prints a markdown table; writes
 * bench/results/<date>-<host>-<cpus>cpu-video-reading.json and .md.
 *
 *   npm run bench:video [-- --frames 60] [--fps 30] [--size 600x800] [--work 0,10,30] [--pairs 3] [--port 5190]
 */
import { chromium } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { chromiumExecutable } from '../e2e/support/chromium';
import { median } from '../src/testing/pairedTiming';
import { READERS, type Reader, type VideoReadingJob, type VideoReadingReport } from './browser/videoReading';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const [height, width] = arg('size', '600x800').split('x').map(Number) as [number, number];
const job: VideoReadingJob = {
  frames: Number(arg('frames', '60')),
  fps: Number(arg('fps', '30')),
  width,
  height,
  workMs: arg('work', '0,10,30').split(',').map(Number),
  pairs: Number(arg('pairs', '3')),
};
const port = Number(arg('port', '5190'));

function table(report: VideoReadingReport, browser: string): string {
  const lines = [
    `Video reading for an answer-file export: ${job.frames} frames of ${job.width}x${job.height} at ${job.fps} fps (${report.codec}, ${(report.videoBytes / 1e6).toFixed(1)} MB), ${browser}, ${os.cpus().length} CPUs; median of ${job.pairs} runs each`,
    '',
    '| work per frame | reader | frames/s | frames/s once open | open, ms | vs played | frames read | skipped |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const names: Record<Reader, string> = { worker: 'WebCodecs in a worker, next frame ahead', page: 'WebCodecs in the page', played: 'played (<video>)' };
  for (const workMs of job.workMs) {
    const row = (reader: Reader) => report.rows.find((r) => r.reader === reader && r.workMs === workMs)!;
    const played = median(row('played').fps);
    for (const reader of READERS) {
      const r = row(reader);
      const fps = median(r.fps);
      lines.push(
        `| ${workMs} ms | ${names[reader]} | ${fps.toFixed(1)} | ${median(r.openFps).toFixed(1)} | ${median(r.openMs).toFixed(0)} | ${(fps / played).toFixed(2)}x | ${[...new Set(r.frames)].join(',')} | ${Math.max(...r.missed)} |`,
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const server = await createServer({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    server: { port, strictPort: true, host: '127.0.0.1' },
    cacheDir: 'node_modules/.vite-bench',
  });
  await server.listen();
  const executablePath = chromiumExecutable();
  // No SwiftShader GL flags: video frame callbacks need the compositor they disable headless.
  const browser = await chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await page.goto(`http://127.0.0.1:${port}/bench/browser/bench.html`, { timeout: 120_000 });
    const report = await page.evaluate(
      async ([url, j]) => {
        const mod = (await import(/* @vite-ignore */ url)) as typeof import('./browser/videoReading');
        return mod.compareVideoReading(j);
      },
      ['/bench/browser/videoReading.ts', job] as const,
    );
    const name = `Chromium ${browser.version()} (headless)`;
    const md = table(report, name);
    console.log(md);
    const day = new Date().toISOString().slice(0, 10);
    const out = join(here, 'results', `${day}-${os.hostname()}-${os.cpus().length}cpu-video-reading`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(`${out}.json`, JSON.stringify({ date: new Date().toISOString(), browser: name, cpus: os.cpus().length, job, ...report }, null, 2));
    writeFileSync(`${out}.md`, `${md}\n`);
    console.log(`wrote ${out}.json and .md`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
