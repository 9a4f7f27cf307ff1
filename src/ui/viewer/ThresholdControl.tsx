/** One class's threshold: a log-scale slider and a numeric field (accepts 1e-5, 0.99999, 1-1e-5). */
import { useEffect, useState } from 'react';
import type { ChallengeClass } from '../../postprocess/settings';
import { formatThreshold, parseThreshold, SLIDER_STEPS, sliderToThreshold, thresholdToSlider } from '../../viewer/thresholdScale';

export function ThresholdControl({ cls, label, value, onChange }: { cls: ChallengeClass; label: string; value: number; onChange: (v: number) => void }) {
  const [text, setText] = useState(formatThreshold(value));
  const [invalid, setInvalid] = useState(false);
  useEffect(() => {
    setText(formatThreshold(value));
    setInvalid(false);
  }, [value]);
  const commit = () => {
    const v = parseThreshold(text);
    if (v === null) setInvalid(true);
    else onChange(v);
  };
  return (
    <div className="vw-threshold" data-testid={`threshold-${cls}`}>
      <div className="vw-row">
        <span className="vw-label">{label}</span>
        <input
          type="text"
          className={`vw-number${invalid ? ' is-invalid' : ''}`}
          value={text}
          aria-label={`${label} threshold`}
          aria-invalid={invalid}
          title="A number between 0 and 1, e.g. 1e-5, 0.5, 0.99999 or 1-1e-5; Enter to apply"
          onChange={(e) => setText(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
          data-testid={`threshold-${cls}-input`}
        />
      </div>
      <input
        type="range"
        min={0}
        max={SLIDER_STEPS}
        step={1}
        value={thresholdToSlider(cls, value)}
        aria-label={`${label} threshold (${cls === 'car' ? 'log scale' : 'log scale of 1 - p'})`}
        onChange={(e) => onChange(sliderToThreshold(cls, Number(e.target.value)))}
        data-testid={`threshold-${cls}-slider`}
      />
      <div className="vw-scale muted small">
        {cls === 'car' ? (
          <>
            <span>1e-5</span>
            <span>1e-3</span>
            <span>0.1</span>
            <span>0.99</span>
          </>
        ) : (
          <>
            <span>0.01</span>
            <span>0.9</span>
            <span>0.999</span>
            <span>1 - 1e-5</span>
          </>
        )}
      </div>
    </div>
  );
}
