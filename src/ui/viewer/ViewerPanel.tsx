/** The Viewer tab (being built). */
export function ViewerPanel() {
  return <div data-testid="viewer-panel" />;
}
