import { nextTask } from './nextTask';

/**
 * Cuts a long computation on the page into tasks of about `budgetMs`: call `pauseWhenSpent()` often;
 * it gives the page a task (render, input) once the budget since the last pause is spent, and
 * resolves at once otherwise.
 */
export class TaskBudget {
  private since: number;

  constructor(
    private readonly budgetMs: number,
    private readonly pause: () => Promise<void> = nextTask,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  async pauseWhenSpent(): Promise<void> {
    if (this.now() - this.since < this.budgetMs) return;
    await this.pause();
    this.since = this.now();
  }
}
