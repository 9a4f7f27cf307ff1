/** Footer: the latest status message, with the recent ones on expand. */
import { useState } from 'react';
import { useStudioStore } from '../../state/studioStore';

export function StatusBar() {
  const messages = useStudioStore((s) => s.messages);
  const [open, setOpen] = useState(false);
  const last = messages.at(-1);

  return (
    <footer className="status-bar">
      {open && messages.length > 0 && (
        <ol className="status-log">
          {messages
            .slice()
            .reverse()
            .map((m) => (
              <li key={m.id} className={`level-${m.level}`}>
                <time>{new Date(m.at).toLocaleTimeString()}</time> {m.text}
              </li>
            ))}
        </ol>
      )}
      <button type="button" className="status-line" onClick={() => setOpen((o) => !o)} disabled={messages.length === 0} data-testid="status-line">
        <span className={`level-dot level-${last?.level ?? 'info'}`} aria-hidden />
        <span className="status-text">{last ? last.text : 'Ready'}</span>
        {messages.length > 1 && <span className="muted small">{open ? 'hide' : `${messages.length} messages`}</span>}
      </button>
    </footer>
  );
}
