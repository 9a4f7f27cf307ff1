/** The work areas, Dataset, Training and Viewer, as tabs (arrow keys, Home and End move between them). */
import { useRef, type KeyboardEvent } from 'react';
import { useStudioStore, type WorkspaceTab } from '../../state/studioStore';
import { tabForKey } from './tabKeys';
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
  const buttons = useRef(new Map<WorkspaceTab, HTMLButtonElement>());

  const onKeyDown = (e: KeyboardEvent) => {
    const next = tabForKey(
      TABS.map((t) => t.id),
      active,
      e.key,
    );
    if (next === null) return;
    // Taken here: the viewer's frame keys (←/→, Home/End) leave a handled key alone.
    e.preventDefault();
    setActive(next);
    buttons.current.get(next)?.focus();
  };

  return (
    <section className="panel workspace">
      <div className="tabs" role="tablist" aria-label="Workspace" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === active}
            aria-controls={t.id === active ? `panel-${t.id}` : undefined}
            tabIndex={t.id === active ? 0 : -1}
            ref={(el) => {
              if (el) buttons.current.set(t.id, el);
              else buttons.current.delete(t.id);
            }}
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
