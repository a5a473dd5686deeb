/*
 * Helpers for the sampling tests and benchmark: deterministic random ids and small OTLP
 * batches. Not exported from the package index.
 */
import type {
  EffectivePolicy,
  SamplingPolicy,
  SamplingPolicySource,
} from '@internal/tracing-model';
import { defaultSamplingPolicy } from '@internal/tracing-model';
import {
  AnyValue,
  KeyValue,
  Span,
  SpanBatch,
  StageOutputs,
} from '../otlp/model';
import { ExportTraceServiceRequestCodec, SpanCodec } from '../otlp/otlpRoot';
import { decodeExportRequest } from '../otlp/wire';

/** A small seeded PRNG (mulberry32), so statistical tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/**
 * A span's value in a form that compares equal whatever held it: the sampler forwards spans
 * decoded from the bytes it held, so ids become Buffers and 64-bit times Longs.
 */
export function spanValue(span: Span): Record<string, unknown> {
  return SpanCodec.toObject(SpanCodec.decode(SpanCodec.encode(span).finish()), {
    longs: String,
    bytes: String,
    // proto3: a zero field and an absent one are the same value
    defaults: true,
  });
}

export interface SpanSpec {
  traceId: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  error?: boolean;
  startMs?: number;
  durationMs?: number;
  traceState?: string;
  attributes?: Record<string, string | number | boolean>;
  flags?: number;
}

let spanCounter = 1;

export function attrs(
  values: Record<string, string | number | boolean> = {},
): KeyValue[] {
  return Object.entries(values).map(([key, v]) => ({
    key,
    value: anyValueOf(v),
  }));
}

function anyValueOf(v: string | number | boolean): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: v };
  return { doubleValue: v };
}

export function makeSpan(spec: SpanSpec): Span {
  const spanId = spec.spanId ?? new Uint8Array(8);
  if (!spec.spanId) new DataView(spanId.buffer).setUint32(4, spanCounter++);
  const start = (spec.startMs ?? 1_700_000_000_000) * 1e6;
  return {
    traceId: spec.traceId,
    spanId,
    parentSpanId: spec.parentSpanId,
    name: spec.name ?? 'op',
    kind: spec.kind ?? 1,
    startTimeUnixNano: start,
    endTimeUnixNano: start + (spec.durationMs ?? 10) * 1e6,
    traceState: spec.traceState,
    attributes: attrs(spec.attributes),
    flags: spec.flags,
    status: spec.error ? { code: 2, message: 'boom' } : { code: 0 },
  };
}

/** One batch with spans of one or more services (resource per service). */
export function batchOf(
  byService: Record<string, Span[]>,
  bytesPerSpan = 100,
): SpanBatch {
  let spanCount = 0;
  const resourceSpans = Object.entries(byService).map(([service, spans]) => {
    spanCount += spans.length;
    return {
      resource: { attributes: attrs({ 'service.name': service }) },
      scopeSpans: [{ scope: { name: 'test' }, spans }],
    };
  });
  return { resourceSpans, spanCount, bytes: spanCount * bytesPerSpan };
}

/** `batchOf`, sent through protobuf: as the receiver hands it on, with its received bytes. */
export function receivedBatchOf(byService: Record<string, Span[]>): SpanBatch {
  const batch = batchOf(byService);
  const bytes = ExportTraceServiceRequestCodec.encode({
    resourceSpans: batch.resourceSpans,
  }).finish();
  return {
    resourceSpans: decodeExportRequest(bytes),
    spanCount: batch.spanCount,
    bytes: bytes.length,
  };
}

/** Outputs that record what was forwarded and dropped. */
export class RecordingOutputs implements StageOutputs {
  forwarded: SpanBatch[] = [];
  dropped: Array<{ spans: number; bytes: number; reason: string }> = [];
  forward(batch: SpanBatch): void {
    this.forwarded.push(batch);
  }
  drop(spans: number, bytes: number, reason: string): void {
    this.dropped.push({ spans, bytes, reason });
  }
  forwardedSpans(): Span[] {
    return this.forwarded.flatMap(b =>
      b.resourceSpans.flatMap(rs =>
        (rs.scopeSpans ?? []).flatMap(ss => ss.spans ?? []),
      ),
    );
  }
  /** Forwarded spans as `spanValue`s. */
  forwardedSpanValues(): Array<Record<string, unknown>> {
    return this.forwardedSpans().map(spanValue);
  }
  /** Forwarded spans with their service name. */
  forwardedWithService(): Array<{ service: string; span: Span }> {
    return this.forwarded.flatMap(b =>
      b.resourceSpans.flatMap(rs =>
        (rs.scopeSpans ?? []).flatMap(ss =>
          (ss.spans ?? []).map(span => ({
            service:
              rs.resource?.attributes?.find(a => a.key === 'service.name')
                ?.value?.stringValue ?? '',
            span,
          })),
        ),
      ),
    );
  }
  forwardedTraceIds(): Set<string> {
    return new Set(this.forwardedSpans().map(s => hex(s.traceId!)));
  }
  droppedSpans(reason?: string): number {
    return this.dropped
      .filter(d => !reason || d.reason === reason)
      .reduce((n, d) => n + d.spans, 0);
  }
}

/** A policy source over a plain map, with a settable version. */
export class StaticPolicySource implements SamplingPolicySource {
  private v = 1;
  constructor(
    private policies: Record<string, SamplingPolicy> = {},
    private fallback: SamplingPolicy = defaultSamplingPolicy(),
  ) {}
  getPolicy(serviceName: string): EffectivePolicy | undefined {
    const p = this.policies[serviceName];
    return p ? { ...p, origin: 'service' } : undefined;
  }
  getDefaultPolicy(): EffectivePolicy {
    return { ...this.fallback, origin: 'default' };
  }
  version(): number {
    return this.v;
  }
  set(serviceName: string, samplingPolicy: SamplingPolicy): void {
    this.policies = { ...this.policies, [serviceName]: samplingPolicy };
    this.v++;
  }
  setDefault(samplingPolicy: SamplingPolicy): void {
    this.fallback = samplingPolicy;
    this.v++;
  }
}

/** A policy with the given strategy and no always-keep rules unless given. */
export function policy(
  strategy: SamplingPolicy['strategy'],
  extra: Partial<SamplingPolicy> = {},
): SamplingPolicy {
  return {
    strategy,
    operations: [],
    alwaysKeep: { keepErrors: false },
    samplingLocation: 'pipeline',
    ...extra,
  };
}

/** A manual millisecond clock. */
export class ManualClock {
  constructor(public nowMs = 1_700_000_000_000) {}
  now = () => this.nowMs;
  advance(ms: number): number {
    this.nowMs += ms;
    return this.nowMs;
  }
}
