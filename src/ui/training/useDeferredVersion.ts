/**
 * Training-store values for components that redraw on every step (charts, numbers, previews),
 * updated in a transition: React renders them in small slices between other work instead of one
 * long task per worker message (zustand's own hook renders synchronously).
 */
import { startTransition, useEffect, useState } from 'react';
import { useTrainingStore, type TrainingState } from '../../state/trainingStore';

export function useDeferredTraining<T>(select: (s: TrainingState) => T): T {
  const [value, setValue] = useState(() => select(useTrainingStore.getState()));
  useEffect(() => {
    let last = select(useTrainingStore.getState());
    setValue(last);
    return useTrainingStore.subscribe((s) => {
      const next = select(s);
      // Most store changes leave this value as it was: schedule nothing for those.
      if (Object.is(next, last)) return;
      last = next;
      startTransition(() => setValue(next));
    });
  }, []);
  return value;
}

export function useDeferredHistoryVersion(): number {
  return useDeferredTraining((s) => s.historyVersion);
}
