import { RunbookTemplate } from '../RunbookTemplate';

export const elasticsearchDiskFull: RunbookTemplate = {
  id: 'elasticsearch-disk-full',
  title: 'Elasticsearch / OpenSearch disk filling up',
  summary:
    "A data node's disk is above 85%; at the flood-stage watermark indices turn read-only and span writes fail.",
  markdown: `## Symptoms
- Node disk above 85% (low watermark: no new shards there), 90% (high: shards move away), 95% (flood stage: indices become \`read_only_allow_delete\`).
- Jaeger or the Collector logs \`cluster_block_exception\` / \`FORBIDDEN/12/index read-only\`.

## Diagnosis
1. \`GET _cat/allocation?v\` shows disk per node; \`GET _cat/indices/jaeger-span-*?v&s=store.size:desc\` the biggest indices.
2. Check retention: is the index cleaner / ILM / ISM policy running? Old daily indices should be gone.
3. Look for a volume spike (a new service, sampling raised to 100%) in the span rate.

## Resolution
- Delete the oldest span indices beyond the agreed retention: \`DELETE jaeger-span-YYYY-MM-DD\`.
- After freeing space, clear the block: \`PUT */_settings {"index.blocks.read_only_allow_delete": null}\` (automatic on recent versions).
- Add data nodes or disk; lower replicas for old indices (\`number_of_replicas: 0\` for days you can lose).
- Lower sampling for the services that drove the growth.

## Prevention
- Run the index cleaner / ILM rollover with a fixed retention and alert when it fails.
- Size disks for peak daily volume times retention times (replicas + 1), plus 20%.
`,
};
