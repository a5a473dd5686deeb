import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { CoverageState } from '@internal/plugin-tracing-health-common';
import { ComponentType, PropsWithChildren } from 'react';

const STATUS: Record<CoverageState, ComponentType<PropsWithChildren<{}>>> = {
  traced: StatusOK,
  silent: StatusError,
  untraced: StatusAborted,
  unregistered: StatusWarning,
};

/** What each state means, as a tooltip and for screen readers. */
export const COVERAGE_STATE_DESCRIPTIONS: Record<CoverageState, string> = {
  traced: 'Sending spans',
  silent: 'Opted in, but no spans recently',
  untraced: 'Not opted in and no spans seen',
  unregistered:
    'Sending spans, but no catalog component maps to this service name',
};

export function CoverageStateBadge(props: { state: CoverageState }) {
  const Status = STATUS[props.state];
  return (
    <span
      title={COVERAGE_STATE_DESCRIPTIONS[props.state]}
      data-testid="coverage-state"
      data-state={props.state}
    >
      <Status>{props.state}</Status>
    </span>
  );
}
