import {
  createCheckHarness,
  sendJson,
  startLoopbackServer,
} from '../__testUtils__/checkHarness';
import { elasticsearchCheckType } from './elasticsearch';
import { opensearchCheckType } from './opensearch';

const GB = 1024 ** 3;

// Bodies as Elasticsearch 8 / OpenSearch 2 document them (trimmed to the fields they always have).
function clusterHealth(status: string) {
  return {
    cluster_name: 'tracing',
    status,
    timed_out: false,
    number_of_nodes: 2,
    number_of_data_nodes: 2,
    active_primary_shards: 10,
    active_shards: status === 'green' ? 20 : 15,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: status === 'green' ? 0 : 5,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: status === 'green' ? 100 : 75,
  };
}

function nodesStats(usedRatios: number[]) {
  return {
    _nodes: {
      total: usedRatios.length,
      successful: usedRatios.length,
      failed: 0,
    },
    cluster_name: 'tracing',
    nodes: Object.fromEntries(
      usedRatios.map((used, i) => [
        `nodeid${i}`,
        {
          timestamp: 1763780000000,
          name: `es-data-${i}`,
          host: '10.0.0.1',
          roles: ['data'],
          fs: {
            timestamp: 1763780000000,
            total: {
              total_in_bytes: 100 * GB,
              free_in_bytes: Math.round((1 - used) * 100 * GB) + GB,
              available_in_bytes: Math.round((1 - used) * 100 * GB),
            },
            data: [],
          },
        },
      ]),
    ),
  };
}

function catAllocation(usedRatios: number[]) {
  return [
    ...usedRatios.map((used, i) => ({
      shards: '10',
      'disk.indices': String(Math.round(used * 50 * GB)),
      'disk.used': String(Math.round(used * 100 * GB)),
      'disk.avail': String(Math.round((1 - used) * 100 * GB)),
      'disk.total': String(100 * GB),
      'disk.percent': String(Math.round(used * 100)),
      host: '10.0.0.1',
      ip: '10.0.0.1',
      node: `os-data-${i}`,
    })),
    {
      shards: '5',
      'disk.indices': null,
      'disk.used': null,
      'disk.avail': null,
      'disk.total': null,
      'disk.percent': null,
      host: null,
      ip: null,
      node: 'UNASSIGNED',
    },
  ];
}

describe.each([elasticsearchCheckType, opensearchCheckType])(
  '$type check',
  type => {
    let status = 'green';
    let disks = [0.4, 0.5];
    let nodesStatsAllowed = true;
    const seenAuth: Array<string | undefined> = [];
    let server: Awaited<ReturnType<typeof startLoopbackServer>>;
    let harness: Awaited<ReturnType<typeof createCheckHarness>>;

    beforeAll(async () => {
      server = await startLoopbackServer((req, res) => {
        seenAuth.push(req.headers.authorization);
        if (req.url === '/_cluster/health')
          sendJson(res, 200, clusterHealth(status));
        else if (req.url === '/_nodes/stats/fs') {
          if (nodesStatsAllowed) sendJson(res, 200, nodesStats(disks));
          else
            sendJson(res, 403, {
              error: {
                type: 'security_exception',
                reason: 'no permissions for [cluster:monitor/nodes/stats]',
              },
              status: 403,
            });
        } else if (req.url === '/_cat/allocation?format=json&bytes=b')
          sendJson(res, 200, catAllocation(disks));
        else sendJson(res, 404, { error: 'not found' });
      });
    });
    afterAll(() => server.close());
    beforeEach(async () => {
      status = 'green';
      disks = [0.4, 0.5];
      nodesStatsAllowed = true;
      seenAuth.length = 0;
      harness = await createCheckHarness([type]);
    });
    afterEach(() => harness.close());

    const check = () => ({
      id: 'search',
      type: type.type,
      target: `${server.url}/`,
      headers: { Authorization: 'ApiKey c2VjcmV0' },
    });

    it('is ok for a green cluster with room on every disk, sending the configured headers', async () => {
      const result = await harness.run(check());
      expect(result.status).toBe('ok');
      expect(
        result.measurements.filter(m => m.name === 'diskUsedRatio'),
      ).toHaveLength(2);
      expect(seenAuth.every(a => a === 'ApiKey c2VjcmV0')).toBe(true);
    });

    it.each([
      ['yellow', 'warning'],
      ['red', 'critical'],
    ])(
      'maps cluster status %s to %s with the cluster-red runbook',
      async (health, expected) => {
        status = health;
        const result = await harness.run(check());
        expect(result).toMatchObject({
          status: expected,
          runbookId: 'elasticsearch-cluster-red',
        });
        expect(result.message).toContain(health);
      },
    );

    it('warns above 85% disk use on a node, naming it, with the disk-full runbook', async () => {
      disks = [0.4, 0.9];
      const result = await harness.run(check());
      expect(result).toMatchObject({
        status: 'warning',
        runbookId: 'elasticsearch-disk-full',
        threshold: 0.85,
      });
      expect(result.message).toContain('data-1');
      expect(result.value).toBeCloseTo(0.9, 2);
    });

    it('falls back to _cat/allocation where _nodes/stats is forbidden', async () => {
      nodesStatsAllowed = false;
      disks = [0.97, 0.2];
      const result = await harness.run(check());
      expect(result).toMatchObject({
        status: 'critical',
        runbookId: 'elasticsearch-disk-full',
      });
      expect(result.message).toContain('os-data-0');
      expect(
        result.measurements.filter(m => m.name === 'diskUsedRatio'),
      ).toHaveLength(2);
    });
  },
);
