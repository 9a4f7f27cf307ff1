/**
 * Augmentation settings (the original's gamma, brightness and colour ranges with their
 * probabilities, plus an optional flip) and a preview: a few training frames before and after,
 * drawn with the training step's own ops and seeded draws, computed in a worker so that editing
 * the settings never blocks the page.
 */
import { useEffect, useRef, useState } from 'react';
import { augmentConfigProblems, type AugmentConfig, type RangeAugment } from '../../training/augment';
import type { AugmentPreview, RgbaImage } from '../../training/augmentPreview';
import { useDatasetStore } from '../../state/datasetStore';
import { previewInWorker } from '../../worker/augmentPreviewClient';
import { decodeToRgba, drawRgba } from './decodeThumb';
import { errorMessage } from '../../util/errorMessage';

const PREVIEW_FRAMES = 4;
const RANGES: { key: 'gamma' | 'brightness' | 'color'; label: string; hint: string }[] = [
  { key: 'gamma', label: 'Gamma', hint: 'x ** U(min, max)' },
  { key: 'brightness', label: 'Brightness', hint: 'x * U(min, max)' },
  { key: 'color', label: 'Colour', hint: 'x * U(min, max) per channel' },
];

interface Props {
  config: AugmentConfig;
  onChange: (config: AugmentConfig) => void;
  /** The run's seed: the preview's first batch uses it. */
  seed: number;
  disabled?: boolean;
}

function Canvas({ frame, overlay, testId }: { frame: RgbaImage; overlay: RgbaImage | null; testId: string }) {
  const ref = useRef<HTMLCanvasElement | null>(null);
  useEffect(() => {
    if (ref.current) drawRgba(ref.current, frame, overlay);
  }, [frame, overlay]);
  return <canvas ref={ref} className="aug-canvas" data-testid={testId} />;
}

export function AugmentationCard({ config, onChange, seed, disabled = false }: Props) {
  const thumbs = useDatasetStore((s) => s.thumbs);
  const train = useDatasetStore((s) => s.derived?.split.train ?? null);
  const [batch, setBatch] = useState(0);
  const [source, setSource] = useState<{ frames: RgbaImage[]; overlays: RgbaImage[] } | null>(null);
  const [preview, setPreview] = useState<AugmentPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const problems = augmentConfigProblems(config);

  // The frames: PREVIEW_FRAMES train thumbnails, a different set per "another batch".
  const picked = train && train.length > 0 ? Array.from({ length: Math.min(PREVIEW_FRAMES, train.length) }, (_, i) => train[(batch * PREVIEW_FRAMES + i) % train.length]!) : [];
  const key = picked.join(',');
  const ready = picked.every((i) => thumbs[i]);
  useEffect(() => {
    if (disabled) return;
    if (!ready || picked.length === 0) {
      setSource(null);
      return;
    }
    let live = true;
    Promise.all(picked.map(async (i) => [await decodeToRgba(thumbs[i]!.thumb), await decodeToRgba(thumbs[i]!.label)] as const))
      .then((decoded) => {
        if (!live) return;
        // Thumbnails of one dataset can differ in height (frame sizes); keep those of the first size.
        const first = decoded[0]![0];
        const same = decoded.filter(([f, l]) => f.width === first.width && f.height === first.height && l.width === first.width && l.height === first.height);
        setSource({ frames: same.map((d) => d[0]), overlays: same.map((d) => d[1]) });
      })
      .catch((e: unknown) => live && setError(`cannot decode the preview frames: ${errorMessage(e)}`));
    return () => {
      live = false;
    };
  }, [key, ready, disabled]);

  // While a run trains, the settings are locked and the page stays light: no new preview then.
  useEffect(() => {
    if (!source || problems.length > 0 || disabled) return;
    let live = true;
    previewInWorker(source.frames, source.overlays, config, seed + batch)
      .then((p) => {
        if (!live || !p) return;
        setPreview(p);
        setError(null);
      })
      .catch((e: unknown) => live && setError(`preview failed: ${errorMessage(e)}`));
    return () => {
      live = false;
    };
  }, [source, JSON.stringify(config), seed, batch, disabled]);

  const setRange = (key: 'gamma' | 'brightness' | 'color', patch: Partial<RangeAugment>) => onChange({ ...config, [key]: { ...config[key], ...patch } });
  const num = (v: string) => (v.trim() === '' ? NaN : Number(v));

  return (
    <section className="ds-card aug-card" data-testid="augmentation-card">
      <header className="ds-card-head">
        <h3>Augmentation</h3>
        <span className="ds-card-sub">on the GPU in the training step · clamped to [0, 1]</span>
      </header>
      <table className="aug-table">
        <thead>
          <tr>
            <th>
              <span className="visually-hidden">transform</span>
            </th>
            <th>p</th>
            <th>min</th>
            <th>max</th>
            <th>
              <span className="visually-hidden">what it does</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {RANGES.map(({ key, label, hint }) => (
            <tr key={key}>
              <th scope="row">{label}</th>
              {(['probability', 'min', 'max'] as const).map((field) => (
                <td key={field}>
                  <input
                    type="number"
                    step={field === 'probability' ? 0.05 : 0.01}
                    min={field === 'probability' ? 0 : 0.01}
                    max={field === 'probability' ? 1 : undefined}
                    value={Number.isFinite(config[key][field]) ? config[key][field] : ''}
                    disabled={disabled}
                    onChange={(e) => setRange(key, { [field]: num(e.target.value) })}
                    aria-label={`${label} ${field}`}
                    data-testid={`aug-${key}-${field}`}
                  />
                </td>
              ))}
              <td className="muted small">{hint}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">Flip</th>
            <td>
              <input
                type="number"
                step={0.05}
                min={0}
                max={1}
                value={Number.isFinite(config.flip.probability) ? config.flip.probability : ''}
                disabled={disabled}
                onChange={(e) => onChange({ ...config, flip: { probability: num(e.target.value) } })}
                aria-label="Flip probability"
                data-testid="aug-flip-probability"
              />
            </td>
            <td colSpan={3} className="muted small">
              horizontal, frame and label together (the original did not flip)
            </td>
          </tr>
        </tbody>
      </table>
      {problems.length > 0 && (
        <ul className="problem small" data-testid="aug-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="aug-preview" data-testid="aug-preview" data-frames={preview?.after.length ?? 0}>
        {!source && <p className="muted small">{disabled ? 'The preview waits until the run is paused or stopped.' : 'Load a dataset to preview a batch.'}</p>}
        {source && preview && problems.length === 0 &&
          source.frames.map((f, i) =>
            preview.after[i] ? (
              <figure key={i} className="aug-pair">
                <Canvas frame={f} overlay={source.overlays[i]!} testId="aug-before" />
                <Canvas frame={preview.after[i]!} overlay={preview.overlaysAfter?.[i] ?? null} testId="aug-after" />
                <figcaption className="small muted" data-testid="aug-params">
                  {preview.descriptions[i]}
                </figcaption>
              </figure>
            ) : null,
          )}
      </div>
      <div className="ds-toolbar">
        <button type="button" className="ds-btn small" disabled={!source || disabled} onClick={() => setBatch((b) => b + 1)} data-testid="aug-another">
          Another batch
        </button>
        <span className="muted small">before (top) and after (bottom), seed {seed + batch}</span>
      </div>
      {error && <p className="problem small">{error}</p>}
    </section>
  );
}
