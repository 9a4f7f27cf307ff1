/** Counts timer tasks that run while `work` is under way: a build that never lets the page in counts none. */
export async function tasksDuring<T>(work: () => Promise<T> | T): Promise<{ result: T; tasks: number }> {
  let tasks = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    tasks++;
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const result = await work();
  running = false;
  return { result, tasks };
}
