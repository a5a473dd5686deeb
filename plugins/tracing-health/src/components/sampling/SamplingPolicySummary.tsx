import {
  describeStrategy,
  EffectiveSamplingPolicyResponse,
  OperationRule,
  SamplingPolicyField,
} from '@internal/plugin-tracing-health-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Alert from '@material-ui/lab/Alert';
import { ReactNode } from 'react';
import { Countdown } from './Countdown';
import { formatRate } from './format';
import { SourceChip } from './SourceChip';

function describeMatch(rule: OperationRule): string {
  switch (rule.match.type) {
    case 'span-name':
      return `span "${rule.match.name}"`;
    case 'span-name-regex':
      return `span matching /${rule.match.pattern}/`;
    case 'attribute':
      return `${rule.match.key} = ${JSON.stringify(rule.match.equals)}`;
    default:
      return 'unknown';
  }
}

function describeSdkStrategy(
  response: EffectiveSamplingPolicyResponse,
): string {
  const s = response.sdkStrategy;
  if (s.strategyType === 'RATE_LIMITING') {
    return `rate limiting, ${s.rateLimitingSampling?.maxTracesPerSecond}/s`;
  }
  const ops = s.operationSampling?.perOperationStrategies.length ?? 0;
  return `${formatRate(s.probabilisticSampling.samplingRate)}${
    ops > 0 ? ` (+${ops} per-operation)` : ''
  }`;
}

/** The effective policy of a service, each field with where it came from. */
export function SamplingPolicySummary(props: {
  response: EffectiveSamplingPolicyResponse;
}) {
  const { response } = props;
  const { policy, sources } = response;
  const row = (
    label: string,
    value: ReactNode,
    field?: SamplingPolicyField,
  ) => (
    <TableRow key={label}>
      <TableCell component="th" scope="row">
        {label}
      </TableCell>
      <TableCell
        data-testid={`sampling-${label.toLowerCase().replace(/\W+/g, '-')}`}
      >
        {value}
      </TableCell>
      <TableCell align="right">
        {field && <SourceChip source={sources[field]} />}
      </TableCell>
    </TableRow>
  );

  return (
    <>
      {response.overrides.map(o => (
        <Alert severity="warning" key={o.id} style={{ marginBottom: 8 }}>
          Emergency override ({o.scope === 'global' ? 'all services' : o.scope}
          ):{' '}
          {o.action === 'disable'
            ? 'tracing disabled'
            : `capped at ${formatRate(o.maxRate ?? 0)}`}{' '}
          by {o.createdBy}, “{o.reason}”, <Countdown until={o.expiresAt} />.
        </Alert>
      ))}
      {response.maintenance && (
        <Alert severity="info" style={{ marginBottom: 8 }}>
          Maintenance mode: “{response.maintenance.reason}”,{' '}
          <Countdown until={response.maintenance.expiresAt} />.
        </Alert>
      )}
      <Table size="small" aria-label="Effective sampling policy">
        <TableBody>
          {row('Strategy', describeStrategy(policy.strategy), 'strategy')}
          {policy.strategy.type === 'adaptive' &&
            row(
              'Current adaptive rate',
              response.adaptiveRate === undefined
                ? 'not computed yet'
                : formatRate(response.adaptiveRate),
            )}
          {row(
            'Per-operation rules',
            policy.operations.length === 0
              ? 'none'
              : policy.operations
                  .map(
                    rule => `${describeMatch(rule)} → ${formatRate(rule.rate)}`,
                  )
                  .join('; '),
            'operations',
          )}
          {row(
            'Errors',
            policy.alwaysKeep.keepErrors
              ? 'always kept'
              : 'sampled like the rest',
            'alwaysKeep.keepErrors',
          )}
          {row(
            'Slow traces',
            policy.alwaysKeep.keepSlowerThanMs === undefined
              ? 'sampled like the rest'
              : `kept when a span lasts > ${policy.alwaysKeep.keepSlowerThanMs} ms`,
            'alwaysKeep.keepSlowerThanMs',
          )}
          {row(
            'Sampled in',
            policy.samplingLocation === 'pipeline' ? 'the pipeline' : 'the SDK',
            'samplingLocation',
          )}
          {row('SDKs are told', describeSdkStrategy(response))}
        </TableBody>
      </Table>
    </>
  );
}
