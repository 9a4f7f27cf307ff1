import { describe, expect, it } from 'vitest';
import { TaskBudget } from '../../src/util/taskBudget';

describe('TaskBudget', () => {
  it('pauses only once the budget since the last pause is spent, and counts from the pause', async () => {
    let now = 0;
    let pauses = 0;
    const budget = new TaskBudget(30, async () => {
      pauses++;
      now += 5; // the page's task in between
    }, () => now);
    await budget.pauseWhenSpent();
    now = 29;
    await budget.pauseWhenSpent();
    expect(pauses).toBe(0);
    now = 30;
    await budget.pauseWhenSpent();
    expect(pauses).toBe(1);
    // 35 after the pause: the next budget runs to 65.
    now = 64;
    await budget.pauseWhenSpent();
    expect(pauses).toBe(1);
    now = 65;
    await budget.pauseWhenSpent();
    expect(pauses).toBe(2);
  });
});
