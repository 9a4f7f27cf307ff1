/** One class's morphology: op, kernel size, shape, iterations. */
import { ITERATION_RANGE, KERNEL_SHAPES, KERNEL_SIZE_RANGE, MORPHOLOGY_OPS, type ChallengeClass, type Morphology } from '../../postprocess/settings';

export function MorphologyControl({ cls, value, onChange }: { cls: ChallengeClass; value: Morphology; onChange: (patch: Partial<Morphology>) => void }) {
  const off = value.op === 'none';
  return (
    <div className="vw-morph" data-testid={`morph-${cls}`}>
      <select value={value.op} onChange={(e) => onChange({ op: e.target.value as Morphology['op'] })} aria-label="Morphology" data-testid={`morph-${cls}-op`}>
        {MORPHOLOGY_OPS.map((op) => (
          <option key={op} value={op}>
            {op}
          </option>
        ))}
      </select>
      <label className="vw-inline" title="Kernel size (pixels)">
        <input
          type="number"
          min={KERNEL_SIZE_RANGE.min}
          max={KERNEL_SIZE_RANGE.max}
          value={value.size}
          disabled={off}
          onChange={(e) => e.target.value !== '' && onChange({ size: Number(e.target.value) })}
          data-testid={`morph-${cls}-size`}
        />
        px
      </label>
      <select value={value.shape} disabled={off} onChange={(e) => onChange({ shape: e.target.value as Morphology['shape'] })} aria-label="Kernel shape" data-testid={`morph-${cls}-shape`}>
        {KERNEL_SHAPES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <label className="vw-inline" title="Iterations">
        ×
        <input
          type="number"
          min={ITERATION_RANGE.min}
          max={ITERATION_RANGE.max}
          value={value.iterations}
          disabled={off}
          onChange={(e) => e.target.value !== '' && onChange({ iterations: Number(e.target.value) })}
          data-testid={`morph-${cls}-iterations`}
        />
      </label>
    </div>
  );
}
