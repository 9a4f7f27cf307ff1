/** Files left out, each with the reason, folded under a count ("3 frame(s) skipped"). */
export function FileProblems({ problems, summary, testId }: { problems: readonly { path: string; reason: string }[]; summary: string; testId: string }) {
  if (problems.length === 0) return null;
  return (
    <details className="vw-problems" data-testid={testId}>
      <summary>
        {problems.length} {summary}
      </summary>
      <ul>
        {problems.map((p) => (
          <li key={`${p.path}:${p.reason}`}>
            <code>{p.path}</code>: {p.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}
