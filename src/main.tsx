import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useStudioStore } from './state/studioStore';
import { App } from './ui/App';
import { unsavedWork } from './state/unsavedWork';
import { guardLeaving } from './ui/leaveGuard';
import { guardStrayDrops, strayDropMessage } from './ui/strayDrops';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Outside React so StrictMode's double effects cannot start it twice.
void useStudioStore.getState().initBackend();

// A file dropped beside a drop zone would otherwise replace the studio with the file.
guardStrayDrops(window, (names) => useStudioStore.getState().pushMessage('warn', strayDropMessage(names)));
// Leaving while a run trains or files are being written asks first.
guardLeaving(window, unsavedWork);
