/** The Training tab (being built). */
export function TrainingPanel() {
  return <div data-testid="training-panel" />;
}
