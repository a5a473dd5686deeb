import { RunbookTemplate } from '../RunbookTemplate';

export const highQueryLatency: RunbookTemplate = {
  id: 'high-query-latency',
  title: 'Slow trace queries',
  summary:
    'The trace query API (Jaeger query, Tempo) answers slowly, so engineers cannot investigate.',
  markdown: `## Symptoms
- Jaeger's \`/api/services\` takes longer than the threshold (default 500 ms for Jaeger).
- The trace UI times out or loads traces slowly.

## Diagnosis
1. Is the storage healthy? Check the Elasticsearch/OpenSearch check (yellow/red, disk) on the [health board]({{checksUrl}}).
2. Large look-back windows and wide searches scan many daily indices; check query logs for the expensive ones.
3. Query service resources: CPU throttling, memory, GC pauses of the storage JVMs.
4. Network between the query service and storage.

## Resolution
- Fix storage health first.
- Add query replicas; raise storage resources (heap, CPU) where saturated.
- Reduce \`max_num_spans\`/look-back defaults in the UI; use index aliases with rollover to limit indices scanned.

## Prevention
- Keep retention aligned with what people query; archive older data.
- Track query latency with this check and alert on sustained slowness.
`,
};
