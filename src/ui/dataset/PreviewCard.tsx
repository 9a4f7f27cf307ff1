/** One frame at full size with its label, the hood and the crop drawn over it. */
import { useEffect, useMemo, useRef } from 'react';
import { maskOverlayRgba } from '../../data/labelAnalysis';
import { datasetGeometry, useDatasetStore } from '../../state/datasetStore';
import { baseName } from './format';

export const HOOD_COLOR: [number, number, number] = [255, 176, 32];

function Toggle({ label, checked, onChange, testId, swatch }: { label: string; checked: boolean; onChange(v: boolean): void; testId: string; swatch?: string }) {
  return (
    <label className="ds-toggle">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      {swatch && <span className="ds-swatch" style={{ background: swatch }} />}
      {label}
    </label>
  );
}

export function PreviewCard() {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const preview = useDatasetStore((s) => s.preview);
  const pairing = useDatasetStore((s) => s.pairing);
  const hood = useDatasetStore((s) => s.hood.mask);
  const view = useDatasetStore((s) => s.view);
  const setView = useDatasetStore((s) => s.setView);
  const frameSize = useDatasetStore((s) => s.derived?.sizes[0] ?? null);
  const settings = useDatasetStore((s) => s.settings);
  const fw = frameSize?.width ?? 0;
  const fh = frameSize?.height ?? 0;
  // Only the crop rows matter here: redraw when they change, not on every derived update.
  const crop = useMemo(() => {
    const g = datasetGeometry(fw > 0 ? { width: fw, height: fh } : null, settings).geometry;
    return g ? { width: g.frameWidth, height: g.frameHeight, top: g.cropTop, bottom: g.cropBottom } : null;
  }, [fw, fh, settings]);

  const hoodCanvas = useMemo(() => {
    if (!hood) return null;
    const c = document.createElement('canvas');
    c.width = hood.width;
    c.height = hood.height;
    const rgba = maskOverlayRgba(hood.mask, HOOD_COLOR, 255) as Uint8ClampedArray<ArrayBuffer>;
    c.getContext('2d')!.putImageData(new ImageData(rgba, hood.width, hood.height), 0, 0);
    return c;
  }, [hood]);

  useEffect(() => {
    const c = canvasRef.current;
    if (!c || !preview?.frame) return;
    const { width, height } = preview;
    if (c.width !== width) c.width = width;
    if (c.height !== height) c.height = height;
    const ctx = c.getContext('2d')!;
    ctx.globalAlpha = 1;
    ctx.drawImage(preview.frame, 0, 0);
    if (view.labels && preview.label) {
      ctx.globalAlpha = 0.45;
      ctx.drawImage(preview.label, 0, 0);
    }
    if (view.hood && hoodCanvas && hoodCanvas.width === width && hoodCanvas.height === height) {
      ctx.globalAlpha = 0.6;
      ctx.drawImage(hoodCanvas, 0, 0);
    }
    ctx.globalAlpha = 1;
    if (view.crop && crop && crop.width === width && crop.height === height) {
      ctx.fillStyle = 'rgba(5, 8, 12, 0.55)';
      ctx.fillRect(0, 0, width, crop.top);
      ctx.fillRect(0, crop.bottom, width, height - crop.bottom);
      ctx.strokeStyle = '#4f9dff';
      ctx.lineWidth = Math.max(1, width / 400);
      ctx.setLineDash([8, 6]);
      for (const y of [crop.top, crop.bottom]) {
        ctx.beginPath();
        ctx.moveTo(0, y);
        ctx.lineTo(width, y);
        ctx.stroke();
      }
      ctx.setLineDash([]);
    }
  }, [preview, view, hoodCanvas, crop]);

  const pair = preview && pairing ? pairing.pairs[preview.index] : null;
  return (
    <section className="ds-card ds-preview" data-testid="dataset-preview">
      <header className="ds-card-head">
        <h3>Preview</h3>
        <span className="ds-card-sub" title={pair?.framePath}>
          {pair ? `${baseName(pair.framePath)} · ${preview!.width || '…'}×${preview!.height || '…'}${pair.split ? ` · ${pair.split}` : ''}` : 'no frame'}
        </span>
      </header>
      <div className="ds-preview-frame">
        {preview?.frame ? (
          <canvas ref={canvasRef} className={preview.status === 'loading' ? 'loading' : ''} data-testid="preview-canvas" data-index={preview.index} data-status={preview.status} />
        ) : (
          <div className="ds-empty">{preview?.status === 'failed' ? preview.error : preview ? 'decoding…' : 'Load a dataset to see its frames.'}</div>
        )}
      </div>
      <div className="ds-toggles">
        <Toggle label="Labels" checked={view.labels} onChange={(v) => setView({ labels: v })} testId="preview-labels-toggle" />
        <Toggle label="Hood" checked={view.hood} onChange={(v) => setView({ hood: v })} testId="hood-overlay-toggle" swatch={`rgb(${HOOD_COLOR.join(',')})`} />
        <Toggle label="Crop" checked={view.crop} onChange={(v) => setView({ crop: v })} testId="preview-crop-toggle" swatch="#4f9dff" />
      </div>
    </section>
  );
}
