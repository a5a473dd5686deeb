import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { CLUSTER_METRICS } from '@internal/plugin-tracing-health-common';
import { Knex } from 'knex';
import { Registry } from 'prom-client';
import { migrateDatabase } from '../database/migrateDatabase';
import { ClusterMemberStore } from './ClusterMemberStore';
import { ClusterMembership } from './ClusterMembership';
import { readClusterConfig } from './readClusterConfig';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const A = 'http://10.0.0.1:7007';
const B = 'http://10.0.0.2:7007';
const C = 'http://10.0.0.3:7007';

describe.each(databases.eachSupportedId())(
  'cluster membership on %s',
  databaseId => {
    let knex: Knex;
    let now: number;
    const started: ClusterMembership[] = [];

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      now = Date.UTC(2026, 11, 4, 10, 0, 0);
    });
    afterEach(async () => {
      await Promise.all(started.splice(0).map(m => m.stop()));
    });

    function replica(
      self: string,
      registry = new Registry(),
      heldSpans?: () => number,
    ) {
      const membership = new ClusterMembership({
        heldSpans,
        store: new ClusterMemberStore(knex),
        self,
        // Beats are driven by the test (tick), never by the timer.
        heartbeatMs: 3_600_000,
        ttlMs: 10_000,
        registry,
        logger: mockServices.logger.mock(),
        now: () => now,
      });
      started.push(membership);
      return membership;
    }

    it('sees the replicas that joined, and only itself before it joins', async () => {
      const a = replica(A);
      const b = replica(B);
      await a.start();
      await b.start();
      expect(a.view()).toEqual({ self: A, members: [A] });
      await a.join();
      await b.join();
      await a.tick();
      expect(a.view().members).toEqual([A, B]);
      expect(b.view().members).toEqual([A, B]);
    });

    it('holds what a member said of its workers in the view while it is a member', async () => {
      const a = replica(A);
      const b = replica(B);
      const c = replica(C);
      for (const m of [a, b, c]) {
        await m.start();
        await m.join();
      }
      await a.tick();
      const changes: unknown[] = [];
      a.onChange(() => changes.push(a.view().shards));
      a.setWorkers(B, 3);
      a.setWorkers(B, 3);
      a.setWorkers(C, 2);
      // Neither itself nor a replica that is not a member.
      a.setWorkers(A, 4);
      a.setWorkers('http://10.0.0.9:7007', 4);
      expect(a.view()).toEqual({
        self: A,
        members: [A, B, C],
        shards: { [B]: 3, [C]: 2 },
      });
      expect(changes).toEqual([{ [B]: 3 }, { [B]: 3, [C]: 2 }]);
      // One worker (or the pipeline on the event loop): nothing to split by.
      a.setWorkers(C, 0);
      expect(a.view().shards).toEqual({ [B]: 3 });
      await b.stop();
      await a.tick();
      expect(a.view()).toEqual({ self: A, members: [A, C] });
    });

    it('drops a replica that stopped beating after the TTL, and one that left at once', async () => {
      const registry = new Registry();
      const a = replica(A, registry);
      const b = replica(B);
      const c = replica(C);
      for (const m of [a, b, c]) {
        await m.start();
        await m.join();
      }
      await a.tick();
      expect(a.view().members).toEqual([A, B, C]);
      const changed = jest.fn();
      a.onChange(changed);

      // C leaves on shutdown: gone at A's next beat.
      await c.stop();
      await a.tick();
      expect(a.view().members).toEqual([A, B]);
      expect(changed).toHaveBeenCalledTimes(1);

      // B dies without a word: still a member within the TTL, gone after it.
      now += 9_000;
      await a.tick();
      expect(a.view().members).toEqual([A, B]);
      now += 2_000;
      await a.tick();
      expect(a.view().members).toEqual([A]);
      expect(changed).toHaveBeenCalledTimes(2);

      const metrics = await registry.getMetricsAsJSON();
      const value = (name: string) =>
        metrics.find(m => m.name === name)?.values as any[];
      expect(value(CLUSTER_METRICS.members)[0].value).toBe(1);
      expect(value(CLUSTER_METRICS.ownershipChanges)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ labels: { change: 'joined' }, value: 2 }),
          expect.objectContaining({ labels: { change: 'left' }, value: 2 }),
        ]),
      );
    });

    it('does not let an old run that stops late remove the replica that restarted at its URL', async () => {
      const oldRun = replica(A);
      await oldRun.start();
      await oldRun.join();
      const newRun = replica(A);
      await newRun.start();
      await newRun.join();
      await oldRun.stop();
      const b = replica(B);
      await b.start();
      expect(b.view().members).toEqual([A, B]);
    });

    const lostSpans = async (registry: Registry) =>
      Object.fromEntries(
        (
          await registry.getSingleMetric(CLUSTER_METRICS.lostSpans)!.get()
        ).values.map(v => [v.labels.reason, v.value]),
      );

    it('counts, once across the survivors, the spans a replica held when it died without stopping', async () => {
      const onA = new Registry();
      const onC = new Registry();
      const a = replica(A, onA, () => 5);
      const b = replica(B, new Registry(), () => 1200);
      const c = replica(C, onC, () => 7);
      for (const m of [a, b, c]) {
        await m.start();
        await m.join();
      }
      // B reports what it holds with each beat; then it dies (no stop, no more beats).
      await b.tick();
      await a.tick();
      expect(
        (await a.memberRows()).find(r => r.memberId === B)?.heldSpans,
      ).toBe(1200);
      // A and C beat on; whichever sees B's row expired first counts it, the other does not.
      for (let beat = 0; beat < 3; beat++) {
        now += 4_000;
        await c.tick();
        await a.tick();
      }
      const died = [
        (await lostSpans(onA)).replica_died,
        (await lostSpans(onC)).replica_died,
      ];
      expect(died).toEqual([0, 1200]);
      expect(a.view().members).toEqual([A, C]);
    });

    it('counts nothing for a replica that stopped, and a run killed then restarted within the TTL counts as restarted', async () => {
      const onA = new Registry();
      const a = replica(A, onA);
      const b = replica(B, new Registry(), () => 300);
      await a.start();
      await a.join();
      await b.start();
      await b.join();
      // B stops: it has decided and flushed what it held, so nothing is lost.
      await b.stop();
      now += 20_000;
      await a.tick();
      expect(await lostSpans(onA)).toEqual({
        replica_died: 0,
        replica_restarted: 0,
        forward_failed_refused: 0,
      });

      // A new B holds 40 spans and is killed; it restarts at the same URL before the TTL.
      const onB = new Registry();
      const killed = replica(B, new Registry(), () => 40);
      await killed.start();
      await killed.join();
      now += 2_000;
      const restarted = replica(B, onB);
      await restarted.start();
      await restarted.join();
      now += 20_000;
      await a.tick();
      await restarted.tick();
      expect(await lostSpans(onB)).toEqual({
        replica_died: 0,
        replica_restarted: 40,
        forward_failed_refused: 0,
      });
      expect((await lostSpans(onA)).replica_died).toBe(0);
    });

    it('keeps its last view while the database fails', async () => {
      const a = replica(A);
      const b = replica(B);
      await a.start();
      await a.join();
      await b.start();
      await b.join();
      await a.tick();
      expect(a.view().members).toEqual([A, B]);
      await knex.schema.renameTable(
        'tracing_health_cluster_members',
        'moved_away',
      );
      await a.tick();
      expect(a.view().members).toEqual([A, B]);
      await knex.schema.renameTable(
        'moved_away',
        'tracing_health_cluster_members',
      );
    });
  },
);

describe('readClusterConfig', () => {
  const read = (cluster?: unknown) =>
    readClusterConfig(
      new ConfigReader(
        cluster === undefined ? {} : { tracingHealth: { cluster } },
      ),
    );

  it('is off unless configured, and applies defaults', () => {
    expect(read()).toBeUndefined();
    expect(read({ advertiseUrl: 'http://10.0.0.1:7007/' })).toEqual({
      advertiseUrl: 'http://10.0.0.1:7007',
      heartbeatSeconds: 2,
      memberTtlSeconds: 10,
      forwardTimeoutSeconds: 5,
      forwardLingerMs: 500,
      forwardBatchSpans: 4096,
      forwardBatchBytes: 256 * 1024,
      forwardQueueBytes: 32 * 1024 * 1024,
      forwardConcurrency: 4,
      forwardCompression: 'none',
    });
  });

  it('names the offending keys', () => {
    expect(() => read({ advertiseUrl: 'ftp://x' })).toThrow(
      /cluster\.advertiseUrl: must be an http\(s\) URL/,
    );
    expect(() =>
      read({ advertiseUrl: 'http://x:7007', heartbeatSeconds: 6 }),
    ).toThrow(/cluster\.memberTtlSeconds/);
    expect(() => read({ advertiseUrl: 'http://x:7007', extra: 1 })).toThrow(
      /extra/,
    );
    expect(() => read({ heartbeatSeconds: 1 })).toThrow(
      /cluster\.advertiseUrl/,
    );
    // A worker gives up on a forward after 15 s: a longer timeout would never apply.
    expect(() =>
      read({ advertiseUrl: 'http://x:7007', forwardTimeoutSeconds: 20 }),
    ).toThrow(/cluster\.forwardTimeoutSeconds: must be at most 14/);
  });
});
