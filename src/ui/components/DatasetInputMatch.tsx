/**
 * In the model panel, when a dataset is loaded: whether the panel's input (frame, crop rows, input
 * size) is what the Dataset panel feeds the network, and a button to make it so. A model made to
 * another input still runs (frames are resized), but neither trains on the dataset as cut nor sees
 * what the Training tab's runs see.
 */
import { describeGeometry, geometryDifferences, geometryOf } from '../../model/inputGeometry';
import { datasetGeometry, useDatasetStore } from '../../state/datasetStore';
import { useStudioStore } from '../../state/studioStore';

export function DatasetInputMatch() {
  const derived = useDatasetStore((s) => s.derived);
  const settings = useDatasetStore((s) => s.settings);
  const model = useStudioStore((s) => s.model);
  const frame = derived?.sizes[0] ?? null;
  const geometry = frame ? datasetGeometry(frame, settings).geometry : null;
  if (!geometry) return null;
  const wanted = geometryOf(geometry);
  const differences = geometryDifferences({ ...geometryOf(model.config.input), inputHeight: model.size.height, inputWidth: model.size.width }, wanted);
  if (differences.length === 0) {
    return (
      <p className="muted small" data-testid="dataset-input-match" data-match="true">
        The Dataset panel's input: {describeGeometry(wanted)}.
      </p>
    );
  }
  return (
    <div className="note" data-testid="dataset-input-match" data-match="false">
      <p>
        The Dataset panel feeds the network {describeGeometry(wanted)}; these settings have {differences.join(', ')}.
      </p>
      <button type="button" className="ds-btn small" onClick={() => useStudioStore.getState().setInputGeometry(wanted)} data-testid="dataset-input-use">
        Use the dataset's input
      </button>
    </div>
  );
}
