import { CheckMeasurement } from '@internal/plugin-tracing-health-common';
import {
  CheckRunContext,
  CheckType,
} from '@internal/plugin-tracing-health-node';
import { describeError, httpJson, joinUrl } from '../lib/httpProbe';

interface ClusterHealth {
  cluster_name?: string;
  status: 'green' | 'yellow' | 'red';
  number_of_nodes?: number;
  unassigned_shards?: number;
}

/** Cluster health colours as check statuses; anything unknown is critical. */
const CLUSTER_STATUS: Record<string, 'ok' | 'warning' | 'critical'> = {
  green: 'ok',
  yellow: 'warning',
  red: 'critical',
};

interface NodesFsStats {
  nodes: Record<
    string,
    {
      name?: string;
      fs?: { total?: { total_in_bytes?: number; available_in_bytes?: number } };
    }
  >;
}

type CatAllocationRow = {
  node?: string;
  'disk.used'?: string | null;
  'disk.total'?: string | null;
  'disk.percent'?: string | null;
};

const STATUS_VALUE = { green: 0, yellow: 1, red: 2 } as const;

async function clusterHealth(ctx: CheckRunContext): Promise<CheckMeasurement> {
  try {
    const { data } = await httpJson<ClusterHealth>(
      joinUrl(ctx.target!, '/_cluster/health'),
      { signal: ctx.signal, headers: ctx.headers },
    );
    const status = CLUSTER_STATUS[String(data.status)] ?? 'critical';
    return ctx.verdict('clusterStatus', status, {
      message: `cluster ${data.cluster_name ?? ''} is ${data.status} (${
        data.number_of_nodes ?? '?'
      } nodes, ${data.unassigned_shards ?? 0} unassigned shards)`,
      value: STATUS_VALUE[data.status],
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return ctx.verdict('clusterStatus', 'critical', {
      message: `_cluster/health failed: ${describeError(error)}`,
      runbookId: 'search-cluster-unreachable',
    });
  }
}

/** Used share of each data node's disk; `_cat/allocation` where `_nodes/stats` is not allowed. */
async function diskUse(
  ctx: CheckRunContext,
): Promise<Array<{ node: string; ratio: number }>> {
  const opts = { signal: ctx.signal, headers: ctx.headers };
  try {
    const { data } = await httpJson<NodesFsStats>(
      joinUrl(ctx.target!, '/_nodes/stats/fs'),
      opts,
    );
    return Object.entries(data.nodes).flatMap(([id, node]) => {
      const total = node.fs?.total?.total_in_bytes;
      const available = node.fs?.total?.available_in_bytes;
      if (!total || available === undefined) return [];
      return [{ node: node.name ?? id, ratio: 1 - available / total }];
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const { data } = await httpJson<CatAllocationRow[]>(
      joinUrl(ctx.target!, '/_cat/allocation?format=json&bytes=b'),
      opts,
    );
    return data.flatMap(row => {
      // The UNASSIGNED row has no disk figures.
      if (!row.node || row.node === 'UNASSIGNED') return [];
      const used = Number(row['disk.used']);
      const total = Number(row['disk.total']);
      if (total > 0 && Number.isFinite(used))
        return [{ node: row.node, ratio: used / total }];
      const percent = Number(row['disk.percent']);
      return Number.isFinite(percent) && row['disk.percent'] !== null
        ? [{ node: row.node, ratio: percent / 100 }]
        : [];
    });
  }
}

async function diskMeasurements(
  ctx: CheckRunContext,
): Promise<CheckMeasurement[]> {
  try {
    const nodes = await diskUse(ctx);
    return nodes.map(({ node, ratio }) =>
      ctx.measure('diskUsedRatio', ratio, {
        subject: node,
        message: `node ${node} disk ${(ratio * 100).toFixed(1)}% used`,
      }),
    );
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return [
      ctx.verdict('diskUsedRatio', 'unknown', {
        message: `disk use unreadable from _nodes/stats and _cat/allocation: ${describeError(
          error,
        )}`,
        runbookId: 'check-failing',
      }),
    ];
  }
}

/**
 * Builds the check type for Elasticsearch or OpenSearch, which share these APIs: cluster health
 * (yellow warns, red is critical) and per-node disk use (warns above 85%).
 */
export function createSearchClusterCheckType(
  type: 'elasticsearch' | 'opensearch',
): CheckType {
  return {
    type,
    description: `${type} _cluster/health status and node disk use`,
    runbookId: 'elasticsearch-cluster-red',
    target: 'required',
    measurements: {
      clusterStatus: {
        description: 'green 0, yellow 1, red 2',
        runbookId: 'elasticsearch-cluster-red',
      },
      diskUsedRatio: {
        description: 'used share of each node disk',
        unit: 'ratio',
        threshold: { warning: 0.85, critical: 0.95, direction: 'above' },
        runbookId: 'elasticsearch-disk-full',
      },
    },
    async run(ctx) {
      const [health, disks] = await Promise.all([
        clusterHealth(ctx),
        diskMeasurements(ctx),
      ]);
      return { measurements: [health, ...disks] };
    },
  };
}

/** Elasticsearch (`target`: the cluster URL, `headers` for credentials). */
export const elasticsearchCheckType =
  createSearchClusterCheckType('elasticsearch');
