import {
  DEFAULT_KEEP_SLOWER_THAN_MS,
  type EffectivePolicy,
} from '@internal/tracing-model';
import type { AnyValue } from '../otlp/model';
import {
  CompiledPolicy,
  RuleSubject,
  alwaysKeepReasonOf,
  compilePolicy,
  headRateOf,
} from './compiledPolicy';
import { strategyRateOf } from './strategyRate';
import type { DigestValue, MinuteCounts, TraceDigest } from './traceDigests';

/** What a policy keeps of one service's traces, per second (bytes per day). */
export interface KeptFigures {
  tracesPerSecond: number;
  spansPerSecond: number;
  bytesPerDay: number;
  /** Of the traces with an error span, the share kept (undefined: none seen). */
  errorShareKept?: number;
  /** Of the slow traces, the share kept (undefined: none seen). */
  slowShareKept?: number;
  /** The share of traces kept (kept traces / traces). */
  keptFraction: number;
  /** Standard deviation of `keptFraction` for one trace (sqrt(mean p(1-p))). */
  perTraceSigma: number;
}

export interface PolicyPreview {
  /** Traces rooted at the service in the window (before sampling). */
  traces: number;
  tracesPerSecond: number;
  spansPerSecond: number;
  bytesPerDay: number;
  /** Digests the preview replayed. */
  sampled: number;
  /** Seconds the window covers. */
  seconds: number;
  /** What the candidate policy would keep. */
  candidate: KeptFigures;
  /** What the policy in force would keep, computed the same way. */
  current: KeptFigures;
  /** What was actually kept in the window (counted at decision time). */
  measured: {
    tracesPerSecond: number;
    spansPerSecond: number;
    bytesPerDay: number;
  };
  /** The duration above which a trace counts as slow here, ms. */
  slowMs: number;
}

function toAnyValue(v: DigestValue): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
}

/** A digest's root span as operation rules see it. */
function subjectOf(d: TraceDigest): RuleSubject {
  return {
    name: d.rootName,
    attribute: (key: string) =>
      d.attributes[key] === undefined
        ? undefined
        : toAnyValue(d.attributes[key]),
    origin: {
      service: d.rootService,
      resource: {
        attributes: Object.entries(d.resourceAttributes).map(([key, v]) => ({
          key,
          value: toAnyValue(v),
        })),
      },
      resourceSchemaUrl: undefined,
      scope: undefined,
      scopeSchemaUrl: undefined,
    },
  };
}

/**
 * The probability a trace is kept under the policies: the same head-rate and always-keep code
 * the sampler runs (`headRateOf`, `alwaysKeepReasonOf`), with the strategy's rate for the root
 * service's traffic (adaptive: its target over the traffic, within its bounds; rate limits:
 * the limit over the traffic). Extra tail policies are not replayed.
 */
export function keepProbability(
  digest: TraceDigest,
  root: CompiledPolicy,
  others: (service: string) => CompiledPolicy,
  tracesPerSecond: number,
): number {
  const { strategy, samplingLocation } = root.policy;
  if (samplingLocation === 'sdk') return 1;
  for (const part of digest.services) {
    const compiled =
      part.service === digest.rootService ? root : others(part.service);
    if (alwaysKeepReasonOf(compiled, part.error ? 2 : 0, part.maxDurationNs))
      return 1;
  }
  // The adaptive sampler settles at target / observed (maxRate when nothing is observed).
  let adaptiveRate: number | undefined;
  if (strategy.type === 'adaptive')
    adaptiveRate =
      tracesPerSecond > 0
        ? strategy.targetTracesPerSecond / tracesPerSecond
        : strategy.maxRate;
  const strategyRate =
    strategyRateOf(strategy, adaptiveRate) ??
    (strategy.type === 'rate-limiting' && tracesPerSecond > 0
      ? Math.min(1, strategy.tracesPerSecond / tracesPerSecond)
      : 1);
  return Math.min(
    1,
    Math.max(0, headRateOf(root, subjectOf(digest), strategyRate).rate),
  );
}

function figures(
  digests: readonly TraceDigest[],
  root: CompiledPolicy,
  others: (service: string) => CompiledPolicy,
  totals: { tracesPerSecond: number },
  slowNs: number,
): KeptFigures {
  let p = 0;
  let spans = 0;
  let bytes = 0;
  let variance = 0;
  let errors = 0;
  let errorsKept = 0;
  let slow = 0;
  let slowKept = 0;
  for (const d of digests) {
    const k = keepProbability(d, root, others, totals.tracesPerSecond);
    p += k;
    variance += k * (1 - k);
    spans += k * d.spans;
    bytes += k * d.bytes;
    if (d.services.some(s => s.error)) {
      errors++;
      errorsKept += k;
    }
    if (d.services.some(s => s.maxDurationNs > slowNs)) {
      slow++;
      slowKept += k;
    }
  }
  const n = digests.length;
  const keptFraction = n > 0 ? p / n : 0;
  const tps = totals.tracesPerSecond;
  // Spans and bytes per kept trace from the digests, scaled to the traffic.
  const out: KeptFigures = {
    tracesPerSecond: tps * keptFraction,
    spansPerSecond: n > 0 ? (tps * spans) / n : 0,
    bytesPerDay: n > 0 ? (tps * 86_400 * bytes) / n : 0,
    keptFraction,
    perTraceSigma: n > 0 ? Math.sqrt(variance / n) : 0,
  };
  if (errors > 0) out.errorShareKept = errorsKept / errors;
  if (slow > 0) out.slowShareKept = slowKept / slow;
  return out;
}

/**
 * What `candidate` would keep of the traces rooted at its service, against `current`, replaying
 * the sampler's decision code over the digests of the last hour and scaling to the traffic
 * counted (before sampling) over the same window.
 */
export function previewPolicy(input: {
  digests: readonly TraceDigest[];
  window: { counts: MinuteCounts; seconds: number };
  candidate: EffectivePolicy;
  current: EffectivePolicy;
  /** The policy in force for any other service (their always-keep rules still apply). */
  policyOf: (service: string) => EffectivePolicy;
}): PolicyPreview {
  const { digests, window } = input;
  const { counts, seconds } = window;
  const compiledOthers = new Map<string, CompiledPolicy>();
  const others = (service: string) => {
    let c = compiledOthers.get(service);
    if (!c) {
      c = compilePolicy(input.policyOf(service));
      compiledOthers.set(service, c);
    }
    return c;
  };
  const slowMs =
    input.current.alwaysKeep.keepSlowerThanMs ??
    input.candidate.alwaysKeep.keepSlowerThanMs ??
    DEFAULT_KEEP_SLOWER_THAN_MS;
  const totals = { tracesPerSecond: counts.traces / seconds };
  return {
    traces: counts.traces,
    tracesPerSecond: totals.tracesPerSecond,
    spansPerSecond: counts.spans / seconds,
    bytesPerDay: (counts.bytes / seconds) * 86_400,
    sampled: digests.length,
    seconds,
    candidate: figures(
      digests,
      compilePolicy(input.candidate),
      others,
      totals,
      slowMs * 1e6,
    ),
    current: figures(
      digests,
      compilePolicy(input.current),
      others,
      totals,
      slowMs * 1e6,
    ),
    measured: {
      tracesPerSecond: counts.keptTraces / seconds,
      spansPerSecond: counts.keptSpans / seconds,
      bytesPerDay: (counts.keptBytes / seconds) * 86_400,
    },
    slowMs,
  };
}
