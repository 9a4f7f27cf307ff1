/**
 * Drives the in-page benchmark: starts this checkout's Vite dev server, launches headless Chromium
 * (the e2e tests' launch options: SwiftShader WebGPU/WebGL where there is no GPU), and runs each
 * backend's jobs in a fresh page, one page.evaluate per job with its own time limit.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { chromiumLaunchOptions } from '../../e2e/support/chromium';
import { emptyRow } from '../core/measure';
import type { BenchJob, BenchRow } from '../core/types';
import { jobsFor, type BenchOptions, type BrowserBackend } from '../core/options';
import type { ReplayJob, ReplayReport } from '../core/kernelReplay';
import type { ProfileJob, ProfileRow } from '../core/profile';
import type { GpuDescription, PageSetup } from './page';


type PageModule = typeof import('./page');

export interface BrowserRun {
  browser: string;
  gpu: GpuDescription | null;
  notes: string[];
}

const PAGE_MODULE = '/bench/browser/page.ts';

class JobTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JobTimeout(`${what} did not finish in ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Calls an export of the page module inside the page. */
function callPage<K extends keyof PageModule>(page: Page, name: K, arg: unknown): Promise<Awaited<ReturnType<PageModule[K]>>> {
  return page.evaluate(
    async ([url, fn, a]) => {
      const mod = (await import(/* @vite-ignore */ url)) as Record<string, (x: unknown) => unknown>;
      return mod[fn](a);
    },
    [PAGE_MODULE, name, arg] as const,
  ) as Promise<Awaited<ReturnType<PageModule[K]>>>;
}

function jobsForBackend(opts: BenchOptions, backend: BrowserBackend): BenchJob[] {
  const gpu = backend === 'webgpu' || backend === 'webgl' || backend === 'ort-webgpu';
  if (backend === 'ort-wasm' || backend === 'ort-webgpu') return jobsFor(opts, ['ort'], { gpu });
  return jobsFor(opts, ['tfjs', 'tfjs-folded'], { tinyOnly: backend === 'cpu', training: opts.trainBrowser.includes(backend), gpu, endToEnd: opts.endToEnd });
}

function jobVariant(job: BenchJob): string {
  if (job.task === 'training') return 'training step';
  if (job.task === 'end-to-end') return 'viewer end to end';
  return job.engine === 'tfjs-folded' ? 'folded' : 'predict';
}

async function openPage(browser: Browser, pageUrl: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message.split('\n')[0]}`));
  await page.goto(pageUrl, { timeout: 120_000 });
  return page;
}

interface Started {
  server: ViteDevServer;
  browser: Browser;
  pageUrl: string;
  version: string;
  gpu: GpuDescription;
}

/** The dev server and Chromium, and what the page sees of the GPU; `stop` closes both. */
async function start(opts: BenchOptions, root: string, notes: string[], started: Partial<Started>): Promise<Started> {
  started.server = await createServer({
    root,
    configFile: `${root}/vite.config.ts`,
    logLevel: 'warn',
    server: { port: opts.port, strictPort: true, host: '127.0.0.1' },
    // Its own dependency cache: another dev server on this checkout re-optimising the shared
    // node_modules/.vite would leave this server's pages with stale dependency URLs.
    cacheDir: 'node_modules/.vite-bench',
  });
  await started.server.listen();
  const query = opts.pageQuery ? `?${opts.pageQuery.replace(/^\?/, '')}` : '';
  const pageUrl = `http://127.0.0.1:${opts.port}/bench/browser/bench.html${query}`;
  const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions() });
  started.browser = browser;
  const version = `Chromium ${browser.version()} (headless)`;
  const probePage = await openPage(browser, pageUrl);
  const gpu = await withTimeout(callPage(probePage, 'describeGpu', null), 120_000, 'GPU probe');
  await probePage.context().close();
  if (!gpu.crossOriginIsolated) notes.push('The page was not cross-origin isolated: wasm engines ran single-threaded.');
  return { server: started.server, browser, pageUrl, version, gpu };
}

async function stop(started: Partial<Started>): Promise<void> {
  await started.browser?.close().catch(() => {});
  await started.server?.close().catch(() => {});
}

/** `--profile`: per-kernel profiles of each --profile-browser backend, each in a fresh page. */
export async function profileBrowser(
  opts: BenchOptions,
  root: string,
  job: ProfileJob,
  replay: ReplayJob | null,
): Promise<BrowserRun & { profiles: ProfileRow[]; replays: ReplayReport[] }> {
  const notes: string[] = [];
  const started: Partial<Started> = {};
  try {
    const { browser, pageUrl, version, gpu } = await start(opts, root, notes, started);
    const profiles: ProfileRow[] = [];
    const replays: ReplayReport[] = [];
    for (const backend of opts.profileBrowser) {
      console.log(`  [${backend}] profile`);
      let page = await openPage(browser, pageUrl);
      const failed = (status: ProfileRow['status'], reason: string): ProfileRow[] =>
        (['inference', 'training'] as const).map((task) => ({
          platform: 'browser', backend, task, encoder: job.encoder, height: job.height, width: job.width, batch: task === 'training' ? job.batch : 1,
          setup: job.setup, pageQuery: job.pageQuery, kernelChanges: null, status, reason, timing: '–', wallMs: null, unprofiledMs: null, summary: null,
        }));
      const attempt = async () => {
        const setup = await withTimeout(callPage(page, 'setupTfjs', backend), opts.jobTimeoutMs, `${backend} setup`);
        if (!setup.ok) return failed('unavailable', `did not initialise: ${setup.reason ?? 'unknown reason'}`);
        const rows = await withTimeout(callPage(page, 'profileTfjsPage', job), opts.jobTimeoutMs, `${backend} profile`);
        if (replay && backend === 'webgpu') {
          console.log(`  [${backend}] kernel replay (${replay.pairs} pairs per call)`);
          try {
            replays.push(await withTimeout(callPage(page, 'replayWebgpuKernelsPage', replay), opts.jobTimeoutMs, `${backend} kernel replay`));
          } catch (e) {
            const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
            replays.push({ job: replay, rows: [], totalOursMs: 0, totalBuiltinMs: 0, status: e instanceof JobTimeout ? 'timeout' : 'error', reason });
          }
        }
        return rows;
      };
      try {
        try {
          profiles.push(...(await attempt()));
        } catch (e) {
          // The dev server reloads the page when it first meets a dependency to optimise (e.g. a
          // backend's package): once in a fresh page.
          if (!(e instanceof Error && /Execution context was destroyed/.test(e.message))) throw e;
          console.log(`    the page was reloaded by the dev server; trying ${backend} once more`);
          await page.context().close().catch(() => {});
          page = await openPage(browser, pageUrl);
          profiles.push(...(await attempt()));
        }
      } catch (e) {
        profiles.push(...failed(e instanceof JobTimeout ? 'timeout' : 'error', (e instanceof Error ? e.message : String(e)).split('\n')[0]));
      } finally {
        await page.context().close().catch(() => {});
      }
    }
    return { browser: version, gpu, notes, profiles, replays };
  } finally {
    await stop(started);
  }
}

export async function runBrowser(opts: BenchOptions, root: string, onRow: (row: BenchRow) => void): Promise<BrowserRun> {
  const notes: string[] = [];
  const started: Partial<Started> = {};
  try {
    const { browser, pageUrl, version, gpu } = await start(opts, root, notes, started);

    for (const backend of opts.browserBackends) {
      const jobs = jobsForBackend(opts, backend);
      if (jobs.length === 0) continue;
      console.log(`  [${backend}] ${jobs.length} job(s)`);
      const isOrt = backend.startsWith('ort-');
      const provider = backend.replace(/^ort-/, '');
      let page = await openPage(browser, pageUrl);
      let setup: PageSetup;
      try {
        setup = await withTimeout(
          isOrt ? callPage(page, 'setupOrt', provider) : callPage(page, 'setupTfjs', backend),
          opts.jobTimeoutMs,
          `${backend} setup`,
        );
      } catch (e) {
        setup = { ok: false, reason: e instanceof Error ? e.message : String(e), threads: null };
      }
      let broken: string | null = setup.ok ? null : `did not initialise: ${setup.reason ?? 'unknown reason'}`;
      for (const job of jobs) {
        const label = isOrt ? `onnxruntime-web ${provider}` : `tfjs ${backend} (${jobVariant(job)})`;
        if (broken) {
          const row = emptyRow(job, 'browser', isOrt ? provider : backend, label);
          row.status = broken.startsWith('did not') ? 'unavailable' : 'timeout';
          row.reason = broken;
          onRow(row);
          continue;
        }
        try {
          const row = await withTimeout(isOrt ? callPage(page, 'runOrt', job) : callPage(page, 'runTfjs', job), opts.jobTimeoutMs, `${label} ${job.encoder} ${job.height}x${job.width}`);
          onRow(row);
        } catch (e) {
          const row = emptyRow(job, 'browser', isOrt ? provider : backend, label);
          row.status = e instanceof JobTimeout ? 'timeout' : 'error';
          row.reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
          onRow(row);
          // The page may still be busy (or dead): start the backend's next job in a fresh one.
          await page.context().close().catch(() => {});
          if (row.status === 'timeout') {
            // Later jobs are as large or larger: do not spend the time limit again on each.
            broken = `skipped: an earlier ${backend} job ran past the time limit`;
            page = await openPage(browser, pageUrl);
            continue;
          }
          page = await openPage(browser, pageUrl);
          const again = await withTimeout(
            isOrt ? callPage(page, 'setupOrt', provider) : callPage(page, 'setupTfjs', backend),
            opts.jobTimeoutMs,
            `${backend} setup`,
          ).catch((err: unknown) => ({ ok: false, reason: String(err), threads: null }) as PageSetup);
          if (!again.ok) broken = `skipped after an earlier failure (${again.reason ?? ''})`;
        }
      }
      await page.context().close().catch(() => {});
    }
    return { browser: version, gpu, notes };
  } finally {
    await stop(started);
  }
}
