/** Connects the Training tab to the training engine: the worker client and the saved runs in IndexedDB. */
import { savedRuns, TrainingClient } from '../../worker/trainingClient';
import type { EngineBinding, TrainingEngine } from './engine';

function createEngine(): TrainingEngine {
  const client = new TrainingClient();
  return {
    start: ({ type: _type, ...request }, transfer) => client.start(request, transfer),
    resumeSaved: ({ type: _type, ...request }) => client.resumeSaved(request),
    pause: () => client.pause(),
    resume: () => client.resume(),
    stop: () => client.stop(),
    setLearningRate: (lr) => client.setLearningRate(lr),
    setThresholds: (t) => client.setThresholds(t),
    getWeights: () => client.getWeights(),
    injectFault: (f) => client.injectFault(f),
    onMessage: (listener) => client.onMessage(listener),
    dispose: () => client.dispose(),
  };
}

export function engineBinding(): EngineBinding {
  return {
    createEngine,
    runs: {
      list: () => savedRuns.list(),
      history: async (runId) => {
        const state = await savedRuns.load(runId);
        return state ? { steps: state.history.steps, validations: state.history.validations } : null;
      },
      rename: (runId, name) => savedRuns.rename(runId, name),
      remove: (runId) => savedRuns.delete(runId),
    },
  };
}
