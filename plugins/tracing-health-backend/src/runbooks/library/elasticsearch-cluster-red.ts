import { RunbookTemplate } from '../RunbookTemplate';

export const elasticsearchClusterRed: RunbookTemplate = {
  id: 'elasticsearch-cluster-red',
  title: 'Elasticsearch / OpenSearch cluster yellow or red',
  summary:
    'Replica (yellow) or primary (red) shards are unassigned; red means some span data cannot be written or read.',
  markdown: `## Symptoms
- \`_cluster/health\` status yellow (replicas unassigned) or red (primaries unassigned).
- Red: Jaeger queries fail or miss days; writes to the affected index fail.

## Diagnosis
1. \`GET _cluster/health?level=indices\` names the indices that are not green.
2. \`GET _cluster/allocation/explain\` says why a shard is unassigned (disk watermark, node left, allocation filter, corrupt shard).
3. \`GET _cat/nodes?v\`: did a node leave? Check its logs and memory (JVM heap, GC pauses).
4. A single-node cluster with replicas configured is always yellow: that is a config issue, not an outage.

## Resolution
- Node lost: bring it back or replace it; shards recover from replicas.
- Disk watermark: follow the *elasticsearch-disk-full* runbook.
- Retry failed allocations: \`POST _cluster/reroute?retry_failed=true\`.
- Primary lost for good: restore the index from snapshot, or delete it and accept the gap (tell the teams whose traces are lost).
- Single node: set \`number_of_replicas: 0\` on span indices.

## Prevention
- At least three master-eligible nodes; replicas ≥ 1 for span indices on multi-node clusters.
- Snapshots on a schedule; alert on yellow for more than 15 minutes.
`,
};
