/** The work areas later features fill: Dataset, Training, Viewer, as tabs. */
import { useStudioStore, type WorkspaceTab } from '../../state/studioStore';
import { DatasetPanel } from '../dataset/DatasetPanel';
import { TrainingPanel } from '../training/TrainingPanel';
import { ViewerPanel } from '../viewer/ViewerPanel';

const TABS: { id: WorkspaceTab; label: string; description: string }[] = [
  {
    id: 'dataset',
    label: 'Dataset',
    description: 'Load CARLA frames and labels (CameraRGB / CameraSeg) and inspect the crop, the hood mask and the three training targets.',
  },
  {
    id: 'training',
    label: 'Training',
    description: 'Train LinkNet with the soft F-beta loss and on-GPU augmentation; follow the loss and the validation score per epoch.',
  },
  {
    id: 'viewer',
    label: 'Viewer',
    description: 'Run the model on frames, threshold and dilate the masks, and compare predictions with the labels.',
  },
];

export function Workspace() {
  const active = useStudioStore((s) => s.activeTab);
  const setActive = useStudioStore((s) => s.setActiveTab);
  const tab = TABS.find((t) => t.id === active) ?? TABS[0]!;

  return (
    <section className="panel workspace">
      <div className="tabs" role="tablist" aria-label="Workspace">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === active}
            aria-controls={`panel-${t.id}`}
            className="tab"
            onClick={() => setActive(t.id)}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel" id={`panel-${tab.id}`} aria-labelledby={`tab-${tab.id}`}>
        <h2>{tab.label}</h2>
        <p className="muted">{tab.description}</p>
        <div className="tab-body" data-slot={tab.id}>
          {tab.id === 'dataset' && <DatasetPanel />}
          {tab.id === 'training' && <TrainingPanel />}
          {tab.id === 'viewer' && <ViewerPanel />}
        </div>
      </div>
    </section>
  );
}
