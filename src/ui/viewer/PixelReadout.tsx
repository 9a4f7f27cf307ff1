/** The pixel under the pointer: the network's probability and mask of each class there, and the label's class. */
import type { PixelReport } from '../../viewer/controller';

function classPart(name: string, c: PixelReport['car']) {
  return (
    <span className={c.mask ? 'vw-probe-on' : undefined}>
      {name} {c.p === null ? '–' : `p ${c.p.toFixed(4)}`}
      {c.mask ? ' (in the mask)' : ''}
    </span>
  );
}

function labelText(truth: NonNullable<PixelReport['truth']>): string {
  return truth.car ? 'vehicle' : truth.road ? 'road' : 'other';
}

export function PixelReadout({ pixel }: { pixel: PixelReport | null }) {
  if (!pixel) {
    return (
      <p className="muted small vw-probe" data-testid="pixel-probe">
        Point at the frame to read a pixel.
      </p>
    );
  }
  const { x, y, car, road, truth } = pixel;
  return (
    <p className="muted small vw-probe" data-testid="pixel-probe" data-x={x} data-y={y} data-car-p={car.p ?? ''} data-road-p={road.p ?? ''} data-car-mask={String(car.mask)} data-road-mask={String(road.mask)} data-label={truth ? labelText(truth) : ''}>
      x {x}, y {y}
      {car.p === null && road.p === null ? ' · outside the crop: no prediction' : null} · {classPart('vehicle', car)} · {classPart('road', road)}
      {truth ? ` · label: ${labelText(truth)}` : ''}
    </p>
  );
}
