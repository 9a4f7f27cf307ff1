/**
 * The label scheme: a preset (CARLA ids, Cityscapes colours or ids) and its classes, editable
 * (name, colour, label values). Applying a changed scheme indexes the dataset again and gives the
 * model the scheme's classes.
 */
import { useEffect, useState } from 'react';
import type { LabelScheme } from '../../data/labelScheme';
import { cloneScheme, SCHEME_PRESETS } from '../../data/schemePresets';
import { formatValues, MAX_SCHEME_CLASSES, parseValues, sameDecoding, schemeProblems } from '../../data/schemeEdit';
import { useDatasetStore } from '../../state/datasetStore';
import { useStudioStore } from '../../state/studioStore';
import { errorMessage } from '../../util/errorMessage';

interface DraftClass {
  name: string;
  color: string;
  values: string;
}

interface Draft {
  base: LabelScheme;
  classes: DraftClass[];
  restClass: number;
}

const toHex = ([r, g, b]: readonly number[]) => `#${[r, g, b].map((v) => (v ?? 0).toString(16).padStart(2, '0')).join('')}`;
const fromHex = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

function draftOf(scheme: LabelScheme): Draft {
  return {
    base: scheme,
    classes: scheme.classes.map((c) => ({ name: c.name, color: toHex(c.color), values: formatValues(c.values, scheme.kind) })),
    restClass: scheme.restClass,
  };
}

/** The draft as a scheme, or the problems that stop it being one. */
function schemeOf(draft: Draft): { scheme: LabelScheme | null; problems: string[] } {
  const problems: string[] = [];
  const classes = draft.classes.map((c, i) => {
    let values: number[] = [];
    if (i !== draft.restClass) {
      try {
        values = parseValues(c.values, draft.base.kind);
      } catch (e) {
        problems.push(`${c.name || `class ${i + 1}`}: ${errorMessage(e)}`);
      }
    }
    return { name: c.name.trim(), color: fromHex(c.color), values };
  });
  const base = draft.base;
  const hoodStillThere = base.hoodValue !== null && classes.some((c) => c.values.includes(base.hoodValue!));
  const scheme: LabelScheme = { ...base, id: `${base.id.replace(/-edited$/, '')}-edited`, classes, restClass: draft.restClass, hoodValue: hoodStillThere ? base.hoodValue : null };
  problems.push(...schemeProblems(scheme));
  return problems.length > 0 ? { scheme: null, problems } : { scheme, problems };
}

export function SchemeCard() {
  const current = useDatasetStore((s) => s.scheme);
  const setScheme = useDatasetStore((s) => s.setScheme);
  const setClassNames = useStudioStore((s) => s.setClassNames);
  const [draft, setDraft] = useState<Draft>(() => draftOf(current));
  useEffect(() => setDraft(draftOf(current)), [current]);

  const { scheme, problems } = schemeOf(draft);
  const changed = scheme !== null && (!sameDecoding(scheme, current) || scheme.classes.some((c, i) => c.name !== current.classes[i]?.name || toHex(c.color) !== toHex(current.classes[i]!.color)));
  const editClass = (i: number, patch: Partial<DraftClass>) => setDraft({ ...draft, classes: draft.classes.map((c, k) => (k === i ? { ...c, ...patch } : c)) });

  const apply = (next: LabelScheme) => {
    setScheme(next);
    setClassNames(next.classes.map((c) => c.name));
  };

  return (
    <section className="ds-card" data-testid="dataset-scheme">
      <header className="ds-card-head">
        <h3>Labels</h3>
        <span className="ds-card-sub" data-testid="scheme-current" data-value={current.id}>
          {current.name}
        </span>
      </header>
      <div className="ds-form">
        <label className="field wide">
          <span>Preset</span>
          <select
            value={SCHEME_PRESETS.some((p) => p.id === draft.base.id) ? draft.base.id : ''}
            onChange={(e) => {
              const preset = SCHEME_PRESETS.find((p) => p.id === e.target.value);
              if (preset) apply(cloneScheme(preset));
            }}
            data-testid="scheme-preset"
          >
            {!SCHEME_PRESETS.some((p) => p.id === draft.base.id) && <option value="">edited</option>}
            {SCHEME_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <table className="ds-scheme-table" data-testid="scheme-classes">
        <thead>
          <tr>
            <th>Class</th>
            <th>Colour</th>
            <th>{draft.base.kind === 'rgb-palette' ? 'Label colours' : `Values (${['red', 'green', 'blue'][draft.base.channel] ?? 'channel'})`}</th>
            <th title="Takes every value not listed">Rest</th>
            <th>
              <span className="visually-hidden">remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {draft.classes.map((c, i) => (
            <tr key={i} data-testid="scheme-class">
              <td>
                <input value={c.name} onChange={(e) => editClass(i, { name: e.target.value })} aria-label={`Name of class ${i + 1}`} data-testid={`scheme-name-${i}`} />
              </td>
              <td>
                <input type="color" value={c.color} onChange={(e) => editClass(i, { color: e.target.value })} aria-label={`Colour of ${c.name}`} />
              </td>
              <td>
                <input
                  value={i === draft.restClass ? 'all other values' : c.values}
                  disabled={i === draft.restClass}
                  onChange={(e) => editClass(i, { values: e.target.value })}
                  aria-label={`Label values of ${c.name}`}
                  data-testid={`scheme-values-${i}`}
                />
              </td>
              <td>
                <input type="radio" name="rest-class" checked={i === draft.restClass} onChange={() => setDraft({ ...draft, restClass: i })} aria-label={`${c.name} takes all other values`} />
              </td>
              <td>
                <button
                  type="button"
                  className="ds-btn small ghost"
                  disabled={draft.classes.length <= 2}
                  onClick={() => {
                    const classes = draft.classes.filter((_, k) => k !== i);
                    const restClass = draft.restClass === i ? 0 : draft.restClass > i ? draft.restClass - 1 : draft.restClass;
                    setDraft({ ...draft, classes, restClass });
                  }}
                  aria-label={`Remove ${c.name}`}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="ds-toolbar">
        <button
          type="button"
          className="ds-btn small"
          disabled={draft.classes.length >= MAX_SCHEME_CLASSES}
          onClick={() => setDraft({ ...draft, classes: [...draft.classes, { name: `class ${draft.classes.length}`, color: '#ffcc00', values: '' }] })}
          data-testid="scheme-add-class"
        >
          Add class
        </button>
        <button type="button" className="ds-btn small primary" disabled={!changed} onClick={() => scheme && apply(scheme)} data-testid="scheme-apply">
          Apply and re-index
        </button>
        <button type="button" className="ds-btn small" disabled={!changed && problems.length === 0} onClick={() => setDraft(draftOf(current))}>
          Revert
        </button>
      </div>
      {problems.length > 0 && (
        <ul className="problem small" data-testid="scheme-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <p className="muted small">The model gets one output per class ({draft.classes.length}); the hood is taken from the vehicle value when the labels mark it (CARLA).</p>
    </section>
  );
}
