import { RunbookTemplate } from '../RunbookTemplate';

export const memoryPressure: RunbookTemplate = {
  id: 'memory-pressure',
  title: 'Memory pressure in the pipeline',
  summary:
    'The pipeline or Collector is near its memory limit and refuses or drops spans to protect itself.',
  markdown: `## Symptoms
- Memory above 80% of the limit; receivers refuse spans (\`otelcol_receiver_refused_spans\` rises, OTLP answers 429/503 with \`Retry-After\`).
- Collector logs: \`Memory usage is above soft limit. Refusing data.\`; pods restarted with \`OOMKilled\`.

## Diagnosis
1. Which stage holds the memory? Tail sampling buffers whole traces for its decision wait; batch and queue hold spans until exported.
2. Did span size grow (large attributes, events, stack traces)? Check recent deployments of {{service}} and other heavy senders.
3. Is export slow (*high-queue*, *export-failures*)? Spans waiting for export are kept in memory.
4. Compare the \`memory_limiter\` \`limit_mib\` with the container limit: the limiter must trigger well below the OOM killer.

## Resolution
- Short term: scale out replicas, or raise the memory limit together with \`limit_mib\` (keep ~20% headroom).
- Reduce the tail-sampling \`decision_wait\` or \`num_traces\` when its buffer dominates.
- Lower head sampling for the heaviest services; strip oversized attributes in the sanitizer.
- Senders retry refused requests; make sure SDKs have retry and bounded queues so they do not build up memory themselves.

## Prevention
- Always run \`memory_limiter\` first in every pipeline.
- Alert at 80% of the limit and load-test with realistic span sizes.
`,
};
