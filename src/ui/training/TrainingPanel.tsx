/** The Training tab: data summary, resume offer, settings, run controls, charts, validation, checkpoint, saved runs. */
import { memo, useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { datasetForTraining, isActive, useTrainingStore } from '../../state/trainingStore';
import { useDatasetStore } from '../../state/datasetStore';
import { useStudioStore } from '../../state/studioStore';
import { AugmentationCard } from '../augment/AugmentationCard';
import { CheckpointCard } from './CheckpointCard';
import { FailureBanner } from './FailureBanner';
import { RunCard } from './RunCard';
import { SavedRuns } from './SavedRuns';
import { SettingsForm } from './SettingsForm';
import { TrainingCharts } from './TrainingCharts';
import { ValidationCard } from './ValidationCard';
import { useDeferredTraining } from './useDeferredVersion';
import '../dataset/dataset.css';
import './training.css';

/** How long the dataset must stay unchanged before the saved runs are listed again. */
const RELIST_AFTER_MS = 300;

const DataSummary = memo(function DataSummary() {
  const info = useDatasetStore(
    useShallow((s) => {
      const { dataset, problem } = datasetForTraining(s);
      return {
        loaded: !!s.source,
        phase: s.phase,
        name: s.source?.name ?? '',
        train: dataset?.train.length ?? 0,
        val: dataset?.val.length ?? 0,
        inputH: dataset?.geometry.inputHeight ?? 0,
        inputW: dataset?.geometry.inputWidth ?? 0,
        hood: !!dataset?.hood,
        problem,
      };
    }),
  );
  const loadSample = useDatasetStore((s) => s.loadSample);
  const setTab = useStudioStore((s) => s.setActiveTab);
  const active = useTrainingStore((s) => isActive(s.phase));
  if (!info.loaded) {
    return (
      <section className="ds-card tr-data" data-testid="training-data" data-ready="false">
        <p className="tr-empty-data" data-testid="training-no-dataset">
          No dataset is loaded. Choose a folder of CARLA frames in the Dataset tab, or train on the built-in sample.
        </p>
        <div className="tr-buttons">
          <button type="button" className="ds-btn primary" onClick={loadSample} data-testid="training-use-sample">
            Use sample dataset
          </button>
          <button type="button" className="ds-btn" onClick={() => setTab('dataset')}>
            Open the Dataset tab
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="ds-card tr-data" data-testid="training-data" data-ready={info.problem ? 'false' : 'true'}>
      <div className="tr-data-line">
        <span className="ds-kpi-label">Data</span>
        <span data-testid="training-data-name">{info.name}</span>
        <span>
          train <b data-testid="training-data-train" data-value={info.train}>{info.train}</b>
        </span>
        <span>
          val <b data-testid="training-data-val" data-value={info.val}>{info.val}</b>
        </span>
        <span>
          input{' '}
          <b data-testid="training-data-input" data-height={info.inputH} data-width={info.inputW}>
            {info.inputH > 0 ? `${info.inputH} × ${info.inputW}` : '—'}
          </b>
        </span>
        <span>hood {info.hood ? 'removed from vehicle targets' : 'none'}</span>
        {!active && (
          <button type="button" className="ds-link" onClick={() => setTab('dataset')}>
            change split, crop or scale in the Dataset tab
          </button>
        )}
      </div>
      {info.problem && <p className="ds-note">{info.phase === 'indexing' ? 'Indexing the dataset…' : info.problem}</p>}
    </section>
  );
});

const ResumeBanner = memo(function ResumeBanner() {
  const offer = useTrainingStore((s) => s.resumeOffer);
  const phase = useTrainingStore((s) => s.phase);
  const busy = useTrainingStore((s) => s.busy);
  const resumeRun = useTrainingStore((s) => s.resumeRun);
  if (!offer || isActive(phase)) return null;
  const { run, blocker } = offer;
  return (
    <div className="tr-resume" data-testid="training-resume-offer" data-run={run.runId} data-step={run.step}>
      <span>
        The run <b>{run.name}</b> did not finish (state saved at step {run.step}
        {run.totalSteps > 0 ? ` of ${run.totalSteps}` : ''}, {new Date(run.savedAt).toLocaleString()}).
      </span>
      {blocker && <span className="ds-note">{blocker}</span>}
      <button type="button" className="ds-btn primary" disabled={!!blocker || !!busy} onClick={() => void resumeRun(run.runId)} data-testid="training-resume-run">
        Resume run {run.name} from step {run.step}
      </button>
    </div>
  );
});

/**
 * The run's augmentation: its editor and a before/after preview of a batch, locked while a run is
 * active and while a resume prepares its data (the preview runs TensorFlow.js on this thread: a
 * preview per arriving batch of the reloaded sample would block the page for hundreds of ms).
 */
const Augmentation = memo(function Augmentation() {
  const augment = useTrainingStore((s) => s.settings.augment);
  const seed = useTrainingStore((s) => s.settings.seed);
  const setSettings = useTrainingStore((s) => s.setSettings);
  const locked = useTrainingStore((s) => isActive(s.phase) || s.preparingResume !== null);
  return <AugmentationCard config={augment} onChange={(a) => setSettings({ augment: a })} seed={seed} disabled={locked} />;
});

/** The run card with whether the loaded dataset can be trained on (its own component: the dataset changes often). */
const RunControls = memo(function RunControls() {
  const ready = useDatasetStore((s) => {
    const { dataset, problem } = datasetForTraining(s);
    return !!dataset && !problem;
  });
  const why = useDatasetStore((s) => datasetForTraining(s).problem);
  return <RunCard canStart={ready} why={ready ? null : why} />;
});

/**
 * The tab's layout. It watches nothing that changes while a dataset loads or a run trains (each
 * card watches what it shows), so a change re-renders the cards that show it, not the whole tab.
 */
export function TrainingPanel() {
  const init = useTrainingStore((s) => s.init);
  const phase = useDeferredTraining((s) => s.phase);
  // The resume offer depends on the loaded dataset: list the runs again when it changes. Watched
  // without re-rendering the panel (a dataset being indexed changes many times a second), and
  // listed once it settles.
  useEffect(() => {
    void init();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const stop = useDatasetStore.subscribe((s, prev) => {
      if (s.derived === prev.derived) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        void init();
      }, RELIST_AFTER_MS);
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [init]);

  return (
    <div className="training-panel" data-testid="training-panel" data-phase={phase}>
      <ResumeBanner />
      <FailureBanner />
      <DataSummary />
      <div className="tr-top">
        <RunControls />
        <SettingsForm />
      </div>
      <TrainingCharts />
      <div className="tr-bottom">
        <ValidationCard />
        <CheckpointCard />
      </div>
      <Augmentation />
      <SavedRuns />
    </div>
  );
}
