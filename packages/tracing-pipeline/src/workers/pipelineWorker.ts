import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { Admission } from '../receiver/memoryLimiter';
import { createPipeline, ShardRouter } from '../pipeline';
import { RendezvousRouter, workerShardIds } from '../routing/shardRouting';
import {
  createClusterShardRouter,
  decideRoutedHere,
  ForwardShare,
} from '../routing/clusterRouting';
import {
  ConfigSamplingPolicySource,
  createSamplingStage,
  parseSamplingConfig,
  SamplingStage,
  samplingStageOptionsFromConfig,
  shareOfOwners,
  TraceDigestBuffer,
} from '../sampling';
import { SpanMetrics } from '../spanMetrics';
import { ServiceGraph } from '../serviceGraph';
import { encodeExportRequest } from '../otlp/wire';
import {
  MainToWorker,
  PeerMessage,
  PIPELINE_WORKER_ROLE,
  PolicySnapshot,
  transferable,
  WorkerInit,
  WorkerToMain,
} from './protocol';
import type { SamplingPolicySource } from '@internal/tracing-model';

async function* once(bytes: Uint8Array) {
  yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The pipeline inside one worker thread (see WorkerPool): the receiver decodes requests the main
 * thread hands over, splits the spans by trace id, keeps the traces this worker owns and sends the
 * others' shares to them over MessagePorts as OTLP protobuf.
 */
function main(port: MessagePort, init: WorkerInit) {
  const post = (m: WorkerToMain, transfer?: ArrayBuffer[]) =>
    port.postMessage(m, transfer as any);
  const registry = new Registry();
  // The portal's logger lives on the main thread.
  const log =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, meta?: Record<string, unknown>) => {
      try {
        post({ t: 'log', level, message, meta });
      } catch {
        post({ t: 'log', level, message });
      }
    };

  // Sampling policies: a snapshot of the main thread's source, or the config's own.
  let snapshot: PolicySnapshot | undefined = init.policies;
  const configSource = init.sampling
    ? ConfigSamplingPolicySource.fromConfig(init.sampling)
    : undefined;
  const policySource: SamplingPolicySource = {
    getPolicy: name =>
      snapshot ? snapshot.services[name] : configSource?.getPolicy(name),
    getDefaultPolicy: () =>
      snapshot ? snapshot.defaultPolicy : configSource!.getDefaultPolicy(),
    version: () => (snapshot ? snapshot.version : configSource!.version()),
  };
  let stage: SamplingStage | undefined;
  const digests = new TraceDigestBuffer();
  // The live portal replicas (tracingHealth.cluster), updated by the main thread.
  let clusterView = init.cluster?.view;
  const sampler =
    init.sampling !== undefined
      ? createSamplingStage({
          policySource,
          registry,
          ...samplingStageOptionsFromConfig(parseSamplingConfig(init.sampling)),
          onDecided: digests.recorder(),
          // This worker owns 1 / (workers × replicas) of the fleet's traces, by trace id.
          share: () =>
            shareOfOwners(init.workers * (clusterView?.members.length || 1)),
        })
      : undefined;

  const spanMetrics = init.spanMetrics
    ? new SpanMetrics({ registry, ...init.spanMetrics })
    : undefined;

  const serviceGraph = init.serviceGraph
    ? new ServiceGraph({ registry, ...init.serviceGraph })
    : undefined;

  // Shares sent to peers, waiting for their answers.
  const peers: (MessagePort | undefined)[] = new Array(init.workers);
  let nextShare = 0;
  const pending = new Map<
    number,
    { peer: number; resolve: (a: Admission) => void; timer: NodeJS.Timeout }
  >();
  const unavailable = (peer: number, why: string): Admission => ({
    admitted: false,
    status: 503,
    retryAfterSeconds: Number(init.pipeline.memory?.retryAfterSeconds ?? 5),
    message: `pipeline worker ${peer} ${why}, retry later`,
  });
  const failPending = (peer: number) => {
    for (const [id, p] of pending) {
      if (p.peer !== peer) continue;
      clearTimeout(p.timer);
      pending.delete(id);
      p.resolve(unavailable(peer, 'stopped'));
    }
  };

  const sendShare = (
    owner: number,
    resourceSpans: Parameters<typeof encodeExportRequest>[0],
  ): Promise<Admission> => {
    const peerPort = peers[owner];
    if (!peerPort) return Promise.resolve(unavailable(owner, 'is restarting'));
    const body = transferable(encodeExportRequest(resourceSpans));
    const id = nextShare++;
    return new Promise<Admission>(resolve => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(unavailable(owner, 'did not answer'));
      }, init.shareTimeoutMs);
      pending.set(id, { peer: owner, resolve, timer });
      const m: PeerMessage = { t: 'share', id, body };
      peerPort.postMessage(m, [body.buffer as ArrayBuffer]);
    });
  };

  const router = new RendezvousRouter(workerShardIds(init.workers));
  const shards: ShardRouter | undefined =
    init.workers > 1
      ? {
          route(batch) {
            const parts = router.split(batch);
            const local = parts[init.index];
            let remoteSpans = 0;
            const answers: Promise<Admission>[] = [];
            parts.forEach((part, owner) => {
              if (!part || owner === init.index) return;
              remoteSpans += part.spanCount;
              answers.push(sendShare(owner, part.resourceSpans));
            });
            return {
              local,
              remoteSpans,
              remote: answers.length
                ? Promise.all(answers).then(
                    all => all.find(a => !a.admitted) ?? { admitted: true },
                  )
                : undefined,
            };
          },
        }
      : undefined;

  // Portal replicas: this replica's share goes on among the workers; the rest to the main thread.
  const created: { pipeline?: ReturnType<typeof createPipeline> } = {};
  const routing: ShardRouter | undefined = init.cluster
    ? createClusterShardRouter({
        view: () => clusterView,
        inner: shards,
        // Every request's shares for other replicas go back with its answer (see `req`); this
        // is never reached, and would decide here.
        forward: async () => ({ ok: false, reason: 'internal_error' }),
        decideLocally: body => decideRoutedHere(created.pipeline!, body),
      })
    : shards;

  const pipeline = createPipeline({
    config: init.pipeline,
    registry,
    // The portal's logger lives on the main thread.
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    sampler: sampler
      ? outputs => {
          stage = sampler(outputs);
          return stage;
        }
      : undefined,
    shards: routing,
  });
  created.pipeline = pipeline;
  if (spanMetrics) pipeline.onSpans(batch => spanMetrics.record(batch));
  if (serviceGraph) pipeline.onSpans(batch => serviceGraph.record(batch));

  const onPeerMessage =
    (from: number, peerPort: MessagePort) => (m: PeerMessage) => {
      if (m.t === 'share') {
        void pipeline
          .handle({
            contentType: 'application/x-protobuf',
            body: once(m.body),
            routed: true,
          })
          .then(res => {
            const reply: PeerMessage = {
              t: 'shareRes',
              id: m.id,
              status: res.status,
              retryAfterSeconds:
                Number(res.headers['retry-after']) || undefined,
              message:
                res.status === 200 ? '' : res.body.toString('utf8', 0, 500),
            };
            peerPort.postMessage(reply);
          });
        return;
      }
      const p = pending.get(m.id);
      if (!p || p.peer !== from) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.status === 200) p.resolve({ admitted: true });
      else
        p.resolve({
          admitted: false,
          status: m.status === 429 || m.status === 413 ? m.status : 503,
          retryAfterSeconds: m.retryAfterSeconds,
          message: `the owner of part of the traces refused them: ${m.message}`,
        });
    };

  const hooks = {
    allocate() {
      // Test only: grows the heap without bound, as a decoder bug would.
      const hoard: unknown[] = [];
      for (;;) hoard.push(new Array(100_000).fill({ x: hoard.length }));
    },
    hang() {
      for (;;);
    },
    crash() {
      throw new Error('crash requested by a test');
    },
  };

  port.on('message', (m: MainToWorker) => {
    switch (m.t) {
      case 'req': {
        // Shares for other replicas ride on the answer: one message each way per request.
        const forwards: ForwardShare[] | undefined =
          init.cluster && !m.routed ? [] : undefined;
        void pipeline
          .handle({
            contentType: m.contentType,
            contentEncoding: m.contentEncoding,
            body: once(m.body),
            routed: m.routed,
            forwards,
          })
          .then(res => {
            const body = transferable(res.body);
            const shares = forwards?.map(share => ({
              ...share,
              body: transferable(share.body),
            }));
            post(
              {
                t: 'res',
                id: m.id,
                status: res.status,
                headers: res.headers,
                body,
                forwards: shares?.length ? shares : undefined,
              },
              [
                body.buffer as ArrayBuffer,
                ...(shares ?? []).map(
                  share => share.body.buffer as ArrayBuffer,
                ),
              ],
            );
          });
        break;
      }
      case 'peer': {
        failPending(m.index);
        peers[m.index]?.close();
        peers[m.index] = m.port;
        m.port.on('message', onPeerMessage(m.index, m.port));
        m.port.on('close', () => {
          if (peers[m.index] === m.port) peers[m.index] = undefined;
          failPending(m.index);
        });
        break;
      }
      case 'cluster':
        clusterView = m.view;
        break;
      case 'peerGone':
        peers[m.index]?.close();
        peers[m.index] = undefined;
        failPending(m.index);
        break;
      case 'policies':
        snapshot = m.snapshot;
        break;
      case 'collect':
        void registry.getMetricsAsJSON().then(metrics =>
          post({
            t: 'collected',
            id: m.id,
            data: {
              accounting: pipeline.accounting.snapshot(),
              memory: pipeline.memoryUsage(),
              exports: pipeline.exportStatus(),
              metrics,
              rates: stage?.currentRates() ?? {},
              spanMetrics: spanMetrics?.snapshot(),
              serviceGraph: serviceGraph?.snapshot(),
              digests: digests.drain(),
            },
          }),
        );
        break;
      case 'shutdown':
        void pipeline.shutdown().then(() => post({ t: 'shutdownDone' }));
        break;
      case 'hook':
        if (init.testHooks) hooks[m.name]();
        break;
      default:
    }
  });

  void pipeline.start().then(() => post({ t: 'ready' }));
}

/**
 * This module's own file: `.ts` from source (started through workerEntry.js, which registers the
 * TypeScript transform), the built `.cjs.js` in a production bundle. workerSlots.ts imports it, which
 * is also what makes the package build emit this module.
 */
export const pipelineWorkerFile = __filename;

if (
  parentPort &&
  (workerData as WorkerInit | undefined)?.role === PIPELINE_WORKER_ROLE
)
  main(parentPort, workerData as WorkerInit);
