import { BackendBadge } from './BackendBadge';

export function Header() {
  return (
    <header className="app-header">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden>
          <rect x="2" y="2" width="20" height="20" rx="5" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M2 15 L9 10 L14 14 L22 8" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M2 22 L2 17 L9 12 L14 16 L22 10 L22 22 Z" fill="currentColor" opacity="0.35" />
        </svg>
        <div>
          <h1>Segmentation Studio</h1>
          <p className="brand-sub">LinkNet road and vehicle segmentation, in the browser</p>
        </div>
      </div>
      <BackendBadge />
    </header>
  );
}
