import { DEFAULT_TRACING_TIER } from '@internal/tracing-model';

/** Catalog annotation keys by which a component opts into tracing. */
export const TRACING_HEALTH_ANNOTATIONS = {
  /** `"true"` opts the component in. */
  enabled: 'tracing-health/enabled',
  /** The OpenTelemetry `service.name` the component emits (default: `metadata.name`). */
  serviceName: 'tracing-health/service-name',
  /** Selects the default sampling: `critical`, `standard` or `high-volume`. */
  tier: 'tracing-health/tier',
  /** The owning team's own runbook. */
  runbookUrl: 'tracing-health/runbook-url',
} as const;

/** YAML a service owner adds to `catalog-info.yaml` to opt in. */
export function optInAnnotationSnippet(serviceName?: string): string {
  const lines = [
    'metadata:',
    '  annotations:',
    `    ${TRACING_HEALTH_ANNOTATIONS.enabled}: "true"`,
  ];
  if (serviceName) {
    lines.push(`    ${TRACING_HEALTH_ANNOTATIONS.serviceName}: ${serviceName}`);
  }
  lines.push(`    ${TRACING_HEALTH_ANNOTATIONS.tier}: ${DEFAULT_TRACING_TIER}`);
  return lines.join('\n');
}
