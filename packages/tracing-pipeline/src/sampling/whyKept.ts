import { ruleKindOf, SAMPLING_SPAN_ATTRIBUTES } from '@internal/tracing-model';
import type { Span } from '../otlp/model';

const OUR_KEYS = new Set<string>(Object.values(SAMPLING_SPAN_ATTRIBUTES));

/**
 * Writes why a trace was kept on one of its spans (the root, or the first forwarded):
 * `tracing_health.sampling.rule` and, when a fixed probability applies,
 * `tracing_health.sampling.rate`. Values the span arrived with under these keys are replaced,
 * so a sender cannot claim a rule.
 */
export function annotateKeptSpan(
  span: Span,
  rule: string,
  rate: number | undefined,
): void {
  const attributes = (span.attributes ?? []).filter(
    a => !OUR_KEYS.has(a.key ?? ''),
  );
  attributes.push({
    key: SAMPLING_SPAN_ATTRIBUTES.rule,
    value: { stringValue: rule },
  });
  if (rate !== undefined && Number.isFinite(rate)) {
    attributes.push({
      key: SAMPLING_SPAN_ATTRIBUTES.rate,
      value: { doubleValue: rate },
    });
  }
  span.attributes = attributes;
}

/** Bounds the `service` label of the kept-traces counter (beyond `maxServices`: `_other`). */
export class KeptTraceLabels {
  private readonly services = new Set<string>();
  constructor(private readonly maxServices = 2000) {}

  /** `service|rule kind`. */
  key(service: string, rule: string): string {
    let label = service;
    if (!this.services.has(service)) {
      if (this.services.size < this.maxServices) this.services.add(service);
      else label = '_other';
    }
    return `${label}|${ruleKindOf(rule)}`;
  }
}
