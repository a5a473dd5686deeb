import { useState } from 'react';
import useInterval from 'react-use/esm/useInterval';
import { formatRemaining } from './format';

/** Time left until `until` (ISO 8601), updated every second. */
export function Countdown(props: { until: string; now?: () => number }) {
  const now = props.now ?? Date.now;
  const [current, setCurrent] = useState(now());
  useInterval(() => setCurrent(now()), 1000);
  const remaining = Date.parse(props.until) - current;
  return (
    <span
      title={new Date(props.until).toLocaleString()}
      data-testid="countdown"
    >
      {remaining > 0 ? `expires in ${formatRemaining(remaining)}` : 'expired'}
    </span>
  );
}
