/** The page's long tasks (main-thread tasks over 50 ms, the browser's threshold), as the tests watch them. */
import type { Page } from '@playwright/test';

export interface LongTask {
  /** ms */
  duration: number;
  /** Start on the page's clock (ms). */
  at: number;
}

/** Starts a new list of the page's long tasks (one observer per page, however often it is called). */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: { duration: number; at: number }[]; __longTaskObserver?: PerformanceObserver };
    w.__longTasks = [];
    if (w.__longTaskObserver) return;
    w.__longTaskObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ duration: Math.round(e.duration), at: Math.round(e.startTime) });
    });
    w.__longTaskObserver.observe({ type: 'longtask' });
  });
}

/** The long tasks since the list was started or last taken; starts the list again. */
export async function takeLongTasks(page: Page): Promise<LongTask[]> {
  return page.evaluate(() => (window as unknown as { __longTasks: { duration: number; at: number }[] }).__longTasks.splice(0));
}

/** The durations of `tasks` (ms). */
export function durations(tasks: readonly LongTask[]): number[] {
  return tasks.map((t) => t.duration);
}
