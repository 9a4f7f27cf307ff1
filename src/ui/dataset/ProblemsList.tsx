/** Files refused (with the reason) and files left unpaired. */
import { PROBLEM_LABELS } from '../../data/datasetModel';
import { useDatasetStore } from '../../state/datasetStore';
import { formatInt } from './format';

export function ProblemsList() {
  const problems = useDatasetStore((s) => s.problems);
  const phase = useDatasetStore((s) => s.phase);
  return (
    <section className="ds-card" data-testid="dataset-problems">
      <header className="ds-card-head">
        <h3>Problems</h3>
        <span className={`chip${problems.length ? ' chip-bad' : ' chip-good'}`}>{problems.length ? `${formatInt(problems.length)} file(s) refused` : phase === 'indexing' ? 'checking…' : 'none'}</span>
      </header>
      {problems.length === 0 ? (
        <p className="muted small">
          Every file is checked: an image by its content (not its name), complete, at most 8192 px a side; labels the size of their frame, with at least one pixel of a
          non-background class.
        </p>
      ) : (
        <div className="ds-scroll">
          <table className="ds-table ds-problems fixed">
            <colgroup>
              <col className="path" />
              <col className="kind" />
              <col />
            </colgroup>
            <tbody>
              {problems.slice(0, 1000).map((p, i) => (
                <tr key={`${p.path}\u0000${i}`} data-testid="dataset-problem" data-path={p.path} data-kind={p.kind}>
                  <td className="mono ds-path" title={p.path}>
                    {p.path}
                  </td>
                  <td>
                    <span className="chip chip-bad">{PROBLEM_LABELS[p.kind]}</span>
                  </td>
                  <td className="ds-reason">{p.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {problems.length > 1000 && <p className="muted small">… and {formatInt(problems.length - 1000)} more</p>}
        </div>
      )}
    </section>
  );
}

export function UnpairedList() {
  const unpaired = useDatasetStore((s) => s.unpaired);
  if (unpaired.length === 0) return null;
  return (
    <section className="ds-card" data-testid="dataset-unpaired">
      <header className="ds-card-head">
        <h3>Unpaired</h3>
        <span className="chip chip-muted">{formatInt(unpaired.length)} file(s) not used</span>
      </header>
      <div className="ds-scroll short">
        <table className="ds-table fixed">
          <colgroup>
            <col className="path" />
            <col />
          </colgroup>
          <tbody>
            {unpaired.slice(0, 500).map((u) => (
              <tr key={u.path} data-testid="dataset-unpaired-item" data-path={u.path}>
                <td className="mono ds-path" title={u.path}>
                  {u.path}
                </td>
                <td className="ds-reason muted-cell">{u.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {unpaired.length > 500 && <p className="muted small">… and {formatInt(unpaired.length - 500)} more</p>}
      </div>
    </section>
  );
}
