/** The page's lost GPU device: what happened and what the studio did about it (studioStore.recoverFromDeviceLoss). */
import { useStudioStore } from '../../state/studioStore';

const TITLES = {
  recovering: 'The GPU device was lost: making a new one…',
  recovered: 'The GPU device was lost and has been replaced',
  failed: 'The GPU device was lost and could not be replaced',
} as const;

export function DeviceRecoveryBanner() {
  const recovery = useStudioStore((s) => s.backend.recovery);
  const dismiss = useStudioStore((s) => s.dismissRecovery);
  if (!recovery) return null;
  return (
    <div className={`device-recovery tone-${recovery.state}`} role="alert" data-testid="device-recovery" data-state={recovery.state}>
      <div>
        <strong>{TITLES[recovery.state]}</strong>
        <p data-testid="device-recovery-detail">
          Reason: {recovery.reason}.{recovery.detail ? ` ${recovery.detail}` : ''}
        </p>
      </div>
      {recovery.state !== 'recovering' && (
        <button type="button" className="ds-btn ghost small" onClick={dismiss} data-testid="device-recovery-dismiss">
          Dismiss
        </button>
      )}
    </div>
  );
}
