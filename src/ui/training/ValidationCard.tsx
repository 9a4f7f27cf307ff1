/** The latest validation: scores, per-class precision/recall, and preview frames on canvases. */
import { memo, useEffect, useRef } from 'react';
import { useDeferredTraining } from './useDeferredVersion';
import { classNameAt } from '../../data/labelScheme';
import { useDatasetStore } from '../../state/datasetStore';
import type { ValidationReport } from '../../worker/trainingProtocol';

function Preview({ p }: { p: ValidationReport['previews'][number] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || p.rgba.length !== p.width * p.height * 4) return;
    canvas.width = p.width;
    canvas.height = p.height;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(p.rgba), p.width, p.height), 0, 0);
  }, [p]);
  return (
    <figure className="tr-preview">
      <canvas ref={ref} width={p.width} height={p.height} data-testid="training-preview" data-index={p.index} />
      <figcaption title={p.name}>{p.name}</figcaption>
    </figure>
  );
}

export const ValidationCard = memo(function ValidationCard() {
  const v = useDeferredTraining((s) => s.lastValidation);
  const count = useDeferredTraining((s) => s.validations);
  const previews = useDeferredTraining((s) => s.previews);
  const scheme = useDatasetStore((s) => s.scheme);
  const classNames = scheme.classes.map((k) => k.name);
  return (
    <section className="ds-card tr-validation" data-testid="training-validation" data-count={count}>
      <header className="ds-card-head">
        <h3>Validation</h3>
        <span className="ds-card-sub">
          {v ? `step ${v.step}, epoch ${v.epoch}, ${v.frames} frames, thresholds road ${v.thresholds.road} / vehicle ${v.thresholds.car}` : 'after each epoch (or every N steps)'}
        </span>
      </header>
      {v ? (
        <>
          <div className="tr-scores">
            <span>
              score{' '}
              <b data-testid="training-val-score" data-value={v.score}>
                {v.score.toFixed(4)}
              </b>
            </span>
            <span>
              F0.5 road{' '}
              <b data-testid="training-val-froad" data-value={v.fRoad}>
                {v.fRoad.toFixed(4)}
              </b>
            </span>
            <span>
              F2 vehicle{' '}
              <b data-testid="training-val-fcar" data-value={v.fCar}>
                {v.fCar.toFixed(4)}
              </b>
            </span>
          </div>
          <table className="tr-table" data-testid="training-val-classes">
            <thead>
              <tr>
                <th>class</th>
                <th>precision</th>
                <th>recall</th>
              </tr>
            </thead>
            <tbody>
              {v.precision.map((p, c) => (
                <tr key={c}>
                  <td>{classNameAt(classNames, c)}</td>
                  <td className="tr-mono">{p.toFixed(4)}</td>
                  <td className="tr-mono">{(v.recall[c] ?? NaN).toFixed(4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p className="ds-note">No validation yet.</p>
      )}
      {previews.length > 0 && (
        <div className="tr-previews" data-testid="training-previews">
          {previews.map((p) => (
            <Preview key={p.index} p={p} />
          ))}
        </div>
      )}
    </section>
  );
});
