/** Resolves in a later task: the page renders and handles input in between (microtasks would not let it). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
