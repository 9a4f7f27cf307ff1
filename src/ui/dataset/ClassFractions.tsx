/** Class pixel fractions per split (hood counted as background when a hood is in use). */
import { cssColor, displayColor } from '../../data/labelAnalysis';
import { useDatasetStore } from '../../state/datasetStore';
import { formatInt, formatPercent } from './format';

export function ClassFractions() {
  const derived = useDatasetStore((s) => s.derived);
  const scheme = useDatasetStore((s) => s.scheme);
  const hood = useDatasetStore((s) => s.hood);
  const phase = useDatasetStore((s) => s.phase);
  const stats = derived?.stats;

  const note = !stats
    ? ''
    : stats.hoodExcluded
      ? `share of all label pixels · hood pixels counted as ${scheme.classes[scheme.restClass]?.name ?? 'background'} (${hood.source} hood), as in the training targets`
      : phase === 'done'
        ? 'share of all label pixels · no hood in use: the hood counts as vehicle'
        : 'share of all label pixels · hood not excluded until indexing is done';

  return (
    <section className="ds-card" data-testid="dataset-classes">
      <header className="ds-card-head">
        <h3>Class fractions</h3>
        <span className="ds-card-sub">{scheme.name}</span>
      </header>
      <table className="ds-table" data-testid="dataset-class-table">
        <thead>
          <tr>
            <th>Class</th>
            <th className="num">Train</th>
            <th className="num">Val</th>
            <th className="num" title="Smallest and largest share of one training frame">Train, per frame</th>
            <th className="num" title="Training frames containing the class">In frames</th>
          </tr>
        </thead>
        <tbody>
          {scheme.classes.map((c, i) => {
            const t = stats?.train.classes[i];
            const v = stats?.val.classes[i];
            return (
              <tr key={c.name}>
                <td>
                  <span className="ds-swatch" style={{ background: cssColor(i === scheme.restClass ? [70, 78, 92] : displayColor(c.color)) }} />
                  {c.name}
                  <span className="ds-values">{c.values.length ? c.values.join(', ') : 'rest'}</span>
                </td>
                <td className="num" data-testid={`class-fraction-train-${c.name}`} data-value={t?.fraction ?? ''}>
                  {t && stats!.train.frames > 0 ? formatPercent(t.fraction) : '—'}
                </td>
                <td className="num" data-testid={`class-fraction-val-${c.name}`} data-value={v?.fraction ?? ''}>
                  {v && stats!.val.frames > 0 ? formatPercent(v.fraction) : '—'}
                </td>
                <td className="num muted-cell">
                  {stats && stats.train.frames > 0 ? `${formatPercent(stats.train.frameMin[i])} – ${formatPercent(stats.train.frameMax[i])}` : '—'}
                </td>
                <td className="num muted-cell">{t ? `${formatInt(t.frames)} / ${formatInt(stats!.train.frames)}` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {note && <p className="ds-note">{note}</p>}
    </section>
  );
}
