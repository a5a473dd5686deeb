import {
  DependencyEdge,
  runbookPath,
} from '@internal/plugin-tracing-health-common';

/** What the propagation column says about an edge, and whose runbook to open. */
export function propagationSummary(edge: DependencyEdge): {
  label: string;
  detail?: string;
  severity: 'ok' | 'warning' | 'error';
  runbook?: string;
} {
  if (edge.propagation === 'not-traced')
    return {
      label: 'not traced',
      detail: `${edge.server} sends no spans: an uninstrumented dependency`,
      severity: 'warning',
    };
  if (edge.propagation === 'ok') return { label: 'ok', severity: 'ok' };
  const lost = `${Math.round(
    (edge.brokenRatio ?? 0) * 100,
  )}% of calls lose the trace`;
  switch (edge.likelyBrokenSide) {
    case 'server':
      return {
        label: `broken: ${edge.server} does not extract the context`,
        detail: `${lost}; ${edge.client} propagates to other services`,
        severity: 'error',
        runbook: runbookPath('broken-propagation', edge.server),
      };
    case 'client':
      return {
        label: `broken: ${edge.client} does not inject the context`,
        detail: `${lost}; ${edge.server} joins other callers' traces`,
        severity: 'error',
        runbook: runbookPath('broken-propagation', edge.client),
      };
    default:
      return {
        label: 'broken: context lost between client and server',
        detail: lost,
        severity: 'error',
        runbook: runbookPath('broken-propagation', edge.client),
      };
  }
}
