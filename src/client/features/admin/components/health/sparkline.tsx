import { MAX_HEALTH_SAMPLES } from '../../lib/health-samples';
import { sparklinePoints } from '../../lib/sparkline-points';

const WIDTH = 160;
const HEIGHT = 36;

/** A tiny inline SVG line chart; its accessible name carries the numbers it draws. */
export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const points = sparklinePoints(values, WIDTH, HEIGHT, MAX_HEALTH_SAMPLES);
  const firstX = points.split(' ')[0]?.split(',')[0] ?? String(WIDTH);
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      {points && (
        <>
          <polygon
            className="sparkline__area"
            points={`${points} ${WIDTH},${HEIGHT} ${firstX},${HEIGHT}`}
          />
          <polyline className="sparkline__line" points={points} />
        </>
      )}
    </svg>
  );
}
