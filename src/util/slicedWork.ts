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

/**
 * Items of the given sizes cut into consecutive runs of at most `limit` in all, in order; an item
 * larger than `limit` makes a run of its own (it cannot be cut).
 */
export function runsWithin(sizes: readonly number[], limit: number): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  let total = 0;
  sizes.forEach((size, i) => {
    if (run.length > 0 && total + size > limit) {
      runs.push(run);
      run = [];
      total = 0;
    }
    run.push(i);
    total += size;
  });
  if (run.length > 0) runs.push(run);
  return runs;
}
