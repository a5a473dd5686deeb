import {
  compileSafeRegexOrUndefined,
  type SafeRegex,
  type TailAndPolicy,
  type TailLeafPolicy,
  type TailPolicy,
} from '@internal/plugin-tracing-health-common';
import { STATUS_CODE } from '../model';
import {
  Threshold,
  isSampled,
  maxThreshold,
  thresholdForRate,
} from './consistent';
import { SpansPerSecondWindow } from './rateLimiter';
import { TraceView, findAttribute, numberOf, stringOf } from './traceData';

/** One policy's verdict on a trace. */
export interface Verdict {
  sampled: boolean;
  /**
   * For kept traces: the `ot=th` to write (probabilistic verdicts), null to erase `th` (any
   * other reason to keep), undefined to leave tracestates alone.
   */
  threshold?: Threshold | null;
  /** A finer label than the evaluator's name (e.g. the head strategy that decided). */
  policy?: string;
  /**
   * For kept traces: the rule label written on the root span (`error`, `rate`, ...); default
   * `policy:<evaluator name>`. See `SAMPLING_SPAN_ATTRIBUTES` in -common.
   */
  rule?: string;
  /**
   * For kept traces: the probability written on the root span; default the threshold's, 1 when
   * kept for another reason; null: no fixed rate (not written).
   */
  rate?: number | null;
  /** The service whose policy decided, for the kept-traces counter; default the root's. */
  service?: string;
}

/** Anything that can decide a buffered trace: a tail policy, the head sampler, always-keep. */
export interface TraceEvaluator {
  /** The `policy` label of decisions it makes (unless the verdict names one). */
  readonly name: string;
  /** The `sampler` label of decisions it makes. */
  readonly sampler: 'head' | 'tail';
  evaluate(trace: TraceView, nowMs: number): Verdict;
}

const NOT_SAMPLED: Verdict = Object.freeze({ sampled: false });
const SAMPLED: Verdict = Object.freeze({ sampled: true, threshold: null });

const STATUS_BY_NAME = {
  UNSET: STATUS_CODE.UNSET,
  OK: STATUS_CODE.OK,
  ERROR: STATUS_CODE.ERROR,
};

type Evaluate = (trace: TraceView, nowMs: number) => Verdict;

function compileLeaf(policy: TailLeafPolicy): Evaluate {
  switch (policy.type) {
    case 'always_sample':
      return () => SAMPLED;
    case 'status_code': {
      const codes = new Set<number>(
        policy.statusCodes.map(c => STATUS_BY_NAME[c]),
      );
      return trace =>
        trace.some(span => codes.has(span.statusCode)) ? SAMPLED : NOT_SAMPLED;
    }
    case 'latency': {
      const { thresholdMs, upperThresholdMs } = policy;
      return trace => {
        const d = trace.durationMs;
        return d >= thresholdMs &&
          (upperThresholdMs === undefined || d < upperThresholdMs)
          ? SAMPLED
          : NOT_SAMPLED;
      };
    }
    case 'string_attribute': {
      const { key, invertMatch } = policy;
      let matches: (v: string) => boolean;
      if (policy.regex) {
        // RE2: linear time whatever the pattern; tests a value's first 4096 characters.
        // A stored pattern RE2 cannot run (saved before patterns were checked) matches nothing.
        const res = policy.values
          .map(v => compileSafeRegexOrUndefined(v))
          .filter((re): re is SafeRegex => re !== undefined);
        matches = v => res.some(re => re.test(v));
      } else {
        const values = new Set(policy.values);
        matches = v => values.has(v);
      }
      return trace => {
        const found = trace.some(span => {
          const v = stringOf(findAttribute(span, key));
          return v !== undefined && matches(v);
        });
        return found !== !!invertMatch ? SAMPLED : NOT_SAMPLED;
      };
    }
    case 'numeric_attribute': {
      const { key, invertMatch } = policy;
      const min = policy.minValue ?? -Infinity;
      const max = policy.maxValue ?? Infinity;
      return trace => {
        const found = trace.some(span => {
          const v = numberOf(findAttribute(span, key));
          return v !== undefined && v >= min && v <= max;
        });
        return found !== !!invertMatch ? SAMPLED : NOT_SAMPLED;
      };
    }
    case 'probabilistic': {
      const own = thresholdForRate(policy.rate);
      return trace => {
        const incoming = trace.incomingThreshold;
        const threshold = incoming ? maxThreshold(incoming, own) : own;
        return isSampled(trace.randomness, threshold)
          ? { sampled: true, threshold }
          : NOT_SAMPLED;
      };
    }
    case 'rate_limiting': {
      const window = new SpansPerSecondWindow(policy.spansPerSecond);
      return (trace, nowMs) =>
        window.tryTake(trace.spanCount, nowMs) ? SAMPLED : NOT_SAMPLED;
    }
    case 'span_count': {
      const { minSpans } = policy;
      const maxSpans = policy.maxSpans ?? Infinity;
      return trace =>
        trace.spanCount >= minSpans && trace.spanCount <= maxSpans
          ? SAMPLED
          : NOT_SAMPLED;
    }
    default:
      throw new Error(
        `unknown tail policy type ${(policy as { type: string }).type}`,
      );
  }
}

function compileAnd(policy: TailAndPolicy): Evaluate {
  const subs = policy.policies.map(compileLeaf);
  return (trace, nowMs) => {
    for (const sub of subs) if (!sub(trace, nowMs).sampled) return NOT_SAMPLED;
    return SAMPLED;
  };
}

/**
 * Compiles a validated tail policy. Semantics follow the collector's `tail_sampling`:
 * `and` keeps when every sub-policy keeps; `composite` evaluates sub-policies in order and the
 * first that keeps the trace charges its span count to its per-second allocation
 * (`percent` × `maxTotalSpansPerSecond`; unallocated sub-policies share what is left, all
 * within the total); when that allocation is spent the trace is not kept by the composite.
 * `probabilistic` is consistent with the head sampler and writes `th` when it keeps.
 */
export function compileTailPolicy(policy: TailPolicy): TraceEvaluator {
  let evaluate: Evaluate;
  if (policy.type === 'and') {
    evaluate = compileAnd(policy);
  } else if (policy.type === 'composite') {
    const total = policy.maxTotalSpansPerSecond;
    const allocated = new Map(
      policy.rateAllocation.map(a => [a.policy, a.percent]),
    );
    const allocatedPercent = [...allocated.values()].reduce((a, b) => a + b, 0);
    const unallocated = policy.policies.filter(
      p => !allocated.has(p.name),
    ).length;
    const remainderEach =
      unallocated > 0 ? (100 - allocatedPercent) / unallocated : 0;
    const subs = policy.policies.map(p => ({
      evaluate: p.type === 'and' ? compileAnd(p) : compileLeaf(p),
      window: new SpansPerSecondWindow(
        ((allocated.get(p.name) ?? remainderEach) / 100) * total,
      ),
    }));
    const totalWindow = new SpansPerSecondWindow(total);
    evaluate = (trace, nowMs) => {
      for (const sub of subs) {
        if (!sub.evaluate(trace, nowMs).sampled) continue;
        // Charge the sub-policy's allocation, then the total (refunding is not needed: the
        // allocations add up to at most the total, so the total only binds on rounding).
        if (
          sub.window.tryTake(trace.spanCount, nowMs) &&
          totalWindow.tryTake(trace.spanCount, nowMs)
        ) {
          return SAMPLED;
        }
        return NOT_SAMPLED;
      }
      return NOT_SAMPLED;
    };
  } else {
    evaluate = compileLeaf(policy);
  }
  return { name: policy.name, sampler: 'tail', evaluate };
}
