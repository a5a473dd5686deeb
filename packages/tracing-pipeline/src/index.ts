/**
 * The tracing pipeline core, framework-free: OTLP/HTTP receiver → memory limiter → sanitizer →
 * [sampler] → batcher → OTLP/HTTP exporters, with span accounting and Prometheus metrics.
 *
 * @packageDocumentation
 */
export { createPipeline } from './pipeline';
export { WorkerPool, defaultWorkerCount } from './workers/WorkerPool';
export type { WorkerPoolOptions } from './workers/WorkerPool';
export type { PolicySnapshot } from './workers/protocol';
export {
  RendezvousRouter,
  combineAdmissions,
  workerShardIds,
} from './routing/shardRouting';
export type { ShardOwner } from './routing/shardRouting';
export type {
  CreatePipelineOptions,
  Pipeline,
  ShardRouter,
  PipelineLogger,
  SpansListener,
} from './pipeline';
export {
  parsePipelineConfig,
  pipelineConfigSchema,
  REDACTION_ACTIONS,
} from './config';
export type {
  BatchConfig,
  ExporterConfig,
  MemoryConfig,
  PipelineConfig,
  PipelineConfigInput,
  RedactionAction,
  SanitizerRuleConfig,
} from './config';
export type { OtlpHttpRequest, OtlpHttpResponse } from './receiver/receiver';
export type {
  Accounting,
  AccountingSnapshot,
  HeldSpans,
} from './telemetry/accounting';
export type { ExportStatus } from './exporter/exporter';
export {
  DEFAULT_SANITIZER_RULES,
  REDACTED_COUNT_ATTRIBUTE,
} from './processors/sanitizer';
export { markModified } from './otlp/wire';
export {
  stringifyExportRequestJson,
  parseExportRequestJson,
} from './otlp/otlpJson';
/** The OTLP protobuf codec the receiver decodes with (for tools and benchmarks). */
export { ExportTraceServiceRequestCodec } from './otlp/otlpRoot';
export * from './otlp/model';
export * from './spanMetrics';
export * from './serviceGraph';
export * from './sampling';
// Both define the same 'unknown_service' label value.
export { UNKNOWN_SERVICE } from './spanMetrics';
export {
  admissionOfResponse,
  createClusterShardRouter,
  decideRoutedHere,
} from './routing/clusterRouting';
export type {
  ClusterRoutingOptions,
  ClusterView,
  ForwardOutcome,
  ForwardShard,
  ForwardShare,
} from './routing/clusterRouting';
export type { WorkerPoolCluster } from './workers/WorkerPool';
