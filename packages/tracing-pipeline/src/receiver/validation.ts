// Per-span validation of decoded requests: what is rejected (and answered in partialSuccess).
import { ResourceSpans, serviceNameOf, Span } from '../otlp/model';
import { countSpans } from '../otlp/spanBatch';

const REJECTION_REASONS = {
  service: 'without a non-empty service.name resource attribute',
  traceId: 'with a trace id that is not 16 bytes or is all zeros',
  spanId: 'with a span id that is not 8 bytes or is all zeros',
  parentSpanId: 'with a parent span id that is neither empty nor 8 bytes',
} as const;
export type RejectionReason = keyof typeof REJECTION_REASONS;

function isValidId(id: Uint8Array | null | undefined, length: number): boolean {
  if (!id || id.length !== length) return false;
  for (let i = 0; i < length; i++) if (id[i] !== 0) return true;
  return false;
}

function rejectionOf(span: Span): RejectionReason | undefined {
  if (!isValidId(span.traceId, 16)) return 'traceId';
  if (!isValidId(span.spanId, 8)) return 'spanId';
  const parent = span.parentSpanId;
  if (parent && parent.length !== 0 && parent.length !== 8)
    return 'parentSpanId';
  return undefined;
}

export interface Validated {
  kept: ResourceSpans[];
  keptSpans: number;
  rejected: Map<RejectionReason, number>;
}

/** Drops spans the OTLP spec or our model cannot carry; copies span arrays only when it drops. */
export function validateResourceSpans(
  resourceSpans: ResourceSpans[],
): Validated {
  const rejected = new Map<RejectionReason, number>();
  const reject = (reason: RejectionReason, n: number) =>
    rejected.set(reason, (rejected.get(reason) ?? 0) + n);
  const kept: ResourceSpans[] = [];
  let keptSpans = 0;
  for (const rs of resourceSpans) {
    const n = countSpans([rs]);
    if (n === 0) continue;
    if (!serviceNameOf(rs.resource)) {
      reject('service', n);
      continue;
    }
    let keptHere = 0;
    for (const ss of rs.scopeSpans ?? []) {
      const spans = ss.spans ?? [];
      let firstBad = -1;
      for (let i = 0; i < spans.length; i++) {
        if (rejectionOf(spans[i])) {
          firstBad = i;
          break;
        }
      }
      if (firstBad === -1) {
        keptHere += spans.length;
        continue;
      }
      const good = spans.slice(0, firstBad);
      for (let i = firstBad; i < spans.length; i++) {
        const reason = rejectionOf(spans[i]);
        if (reason) reject(reason, 1);
        else good.push(spans[i]);
      }
      ss.spans = good;
      keptHere += good.length;
    }
    if (keptHere > 0) {
      kept.push(rs);
      keptSpans += keptHere;
    }
  }
  return { kept, keptSpans, rejected };
}

export function rejectionMessage(
  rejected: Map<RejectionReason, number>,
): string {
  const parts = [...rejected].map(
    ([reason, n]) =>
      `${n} ${n === 1 ? 'span' : 'spans'} ${REJECTION_REASONS[reason]}`,
  );
  return `rejected ${parts.join('; ')}`;
}
