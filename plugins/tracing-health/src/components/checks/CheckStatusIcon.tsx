import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { CheckStatus } from '@internal/plugin-tracing-health-common';

const LABEL: Record<CheckStatus, string> = {
  ok: 'OK',
  warning: 'Warning',
  critical: 'Critical',
  unknown: 'Unknown',
};

const ICON: Record<CheckStatus, typeof StatusOK> = {
  ok: StatusOK,
  warning: StatusWarning,
  critical: StatusError,
  unknown: StatusPending,
};

/** A check status as Backstage's status dot with its word. */
export function CheckStatusIcon(props: { status?: CheckStatus }) {
  const status = props.status ?? 'unknown';
  const label = props.status ? LABEL[status] : 'Not run yet';
  const Icon = ICON[status];
  return (
    <span data-testid="check-status" data-status={props.status ?? 'none'}>
      <Icon>{label}</Icon>
    </span>
  );
}

/** Colours of the statuses in the sparkline, from the theme's status palette. */
export const STATUS_COLOR: Record<CheckStatus, string> = {
  ok: '#1db855',
  warning: '#f5a623',
  critical: '#e22134',
  unknown: '#9e9e9e',
};
