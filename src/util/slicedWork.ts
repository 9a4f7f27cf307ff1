/**
 * Work cut into slices: a generator that pauses (`yield`) between slices and returns its result.
 * `finish` runs it through at once; `finishInSteps` gives the page a task whenever a TaskBudget
 * is spent.
 */
import type { TaskBudget } from './taskBudget';

export type SlicedWork<T> = Generator<void, T, void>;

export function finish<T>(work: SlicedWork<T>): T {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
  }
}

export async function finishInSteps<T>(work: SlicedWork<T>, budget: TaskBudget): Promise<T> {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
    await budget.pauseWhenSpent();
  }
}
