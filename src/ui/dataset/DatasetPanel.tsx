/** The Dataset tab: load a folder (or the sample), see what is usable, and shape the training set. */
import { listFromDataTransfer } from '../../data/fileSources';
import { useDatasetStore } from '../../state/datasetStore';
import { useFileDrop } from '../components/useFileDrop';
import { ClassFractions } from './ClassFractions';
import { DatasetSummary } from './DatasetSummary';
import { DatasetToolbar } from './DatasetToolbar';
import { DuplicatesCard } from './DuplicatesCard';
import { GeometryCard } from './GeometryCard';
import { HoodCard } from './HoodCard';
import { PreviewCard } from './PreviewCard';
import { ProblemsList, UnpairedList } from './ProblemsList';
import { SchemeCard } from './SchemeCard';
import { SplitCard } from './SplitCard';
import { ThumbnailGrid } from './ThumbnailGrid';
import { errorMessage } from '../../util/errorMessage';
import './dataset.css';

export function DatasetPanel() {
  const phase = useDatasetStore((s) => s.phase);
  const error = useDatasetStore((s) => s.error);
  const loaded = useDatasetStore((s) => s.pairing !== null);
  const loadListed = useDatasetStore((s) => s.loadListed);
  const setListing = useDatasetStore((s) => s.setListing);
  const setListFailed = useDatasetStore((s) => s.setListFailed);
  const drop = useFileDrop((data) => {
    const t0 = performance.now();
    const listing = listFromDataTransfer(data); // takes the entries now, reads them after
    setListing();
    listing
      .then((listed) => loadListed(listed, 'drop', performance.now() - t0))
      .catch((err: unknown) => setListFailed(`cannot read the dropped files: ${errorMessage(err)}`));
  });

  return (
    <div
      className={`ds-panel${drop.dragging ? ' dragging' : ''}`}
      data-testid="dataset-panel"
      data-phase={phase}
      {...drop.handlers}
    >
      <DatasetToolbar />
      {phase === 'listing' && <p className="muted small">Listing files…</p>}
      {error && (
        <p className="problem" data-testid="dataset-error">
          {error}
        </p>
      )}
      {loaded ? (
        <>
          <DatasetSummary />
          <div className="ds-columns">
            <div className="ds-col">
              <PreviewCard />
              <ClassFractions />
              <SchemeCard />
            </div>
            <div className="ds-col">
              <HoodCard />
              <GeometryCard />
              <SplitCard />
            </div>
          </div>
          <DuplicatesCard />
          <ProblemsList />
          <UnpairedList />
          <ThumbnailGrid />
        </>
      ) : (
        <div className="ds-dropzone" data-testid="dataset-dropzone">
          <svg viewBox="0 0 48 48" aria-hidden="true">
            <path d="M6 14a3 3 0 0 1 3-3h10l4 4.5h16a3 3 0 0 1 3 3V37a3 3 0 0 1-3 3H9a3 3 0 0 1-3-3z" fill="none" stroke="currentColor" strokeWidth="2" />
            <path d="M24 21v13m-5.5-5.5L24 34l5.5-5.5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
          <p>
            <b>Drop a dataset folder here</b>, choose one, or start with the sample.
          </p>
          <p className="muted small">
            Files are only read, never changed. Frames and labels are paired by name, decoded in a worker and checked: broken, empty, oversized or mismatched files are
            listed with the reason and the rest loads.
          </p>
        </div>
      )}
      {drop.dragging && <div className="ds-drop-overlay">Drop to load this dataset</div>}
    </div>
  );
}
