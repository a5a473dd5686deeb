// The tail policy declarations are generated from the policy kinds into their own file.
import type { TailPolicyConfig } from './configTailPolicies';

export interface Config {
  /** Configuration of the tracing-health plugins. */
  tracingHealth?: {
    /**
     * Minutes after the last span before an opted-in service counts as silent.
     * @visibility frontend
     */
    silentAfterMinutes?: number;
    /**
     * What external-access tokens (`backend.auth.externalAccess`, by their `subject`) may do.
     * Any other external token is refused (403) on every authenticated route; signed-in users
     * and backend plugins (`plugin:<id>`) are not affected.
     */
    auth?: {
      /** Subjects that may only send spans, `POST /v1/traces` (default ["tracing-ingest"]). */
      ingestSubjects?: string[];
      /** Subjects that may only read: GET, HEAD, OPTIONS (default ["tracing-read"]). */
      readSubjects?: string[];
    };
    /**
     * What the plugin logs about OTLP ingest. Each `POST /v1/traces` is logged at debug only;
     * an info line sums up every interval that saw traffic.
     */
    ingestLog?: {
      /**
       * Seconds between the info summaries: requests by status, spans received and exported,
       * refused and dropped by reason (default 60).
       */
      summarySeconds?: number;
    };
    /**
     * Several portal replicas on one database (production Backstage behind a load balancer).
     * When set, each replica registers in the plugin's database with a heartbeat, every trace id
     * has one owner among the live replicas (rendezvous hashing), and a replica forwards the spans
     * it does not own to their owner over OTLP/HTTP with Backstage service-to-service auth, so
     * each trace is sampled whole. Absent (the default): this replica decides every span it gets.
     */
    cluster?: {
      /**
       * This replica's backend base URL as the other replicas reach it, without
       * `/api/tracing-health` (e.g. `http://10.0.3.7:7007`; the pod IP in Kubernetes). Also its
       * member id: a replica that restarts at the same URL takes back the same traces.
       */
      advertiseUrl: string;
      /** Seconds between heartbeats, which also refresh the member list (default 2). */
      heartbeatSeconds?: number;
      /**
       * Seconds after its last heartbeat before a replica is no longer a member (default 10; at
       * least twice heartbeatSeconds). Replicas' clocks must agree well within this.
       */
      memberTtlSeconds?: number;
      /**
       * Seconds a forward to the owner may take, retries included, before its spans are decided
       * here (default 5, at most 14). The request that brought them does not wait for it: it is
       * answered once its spans are queued for their owner.
       */
      forwardTimeoutSeconds?: number;
      /**
       * Milliseconds a forward gathers spans for the same owner before it is sent, so the spans
       * of many requests go in one forward request (default 500; 0 sends as soon as a slot is
       * free). No request waits for it.
       */
      forwardLingerMs?: number;
      /** A forward request is sent once it holds this many spans (default 4096). */
      forwardBatchSpans?: number;
      /**
       * ... or this many bytes of OTLP protobuf before gzip (default 262144, at most 16 MiB:
       * keep it under the owners' `pipeline.receiver.maxBodyBytes`).
       */
      forwardBatchBytes?: number;
      /**
       * Bytes queued for one owner (waiting, being sent or retried) before further spans for it
       * are decided here, counted as `queue_full` (default 33554432).
       */
      forwardQueueBytes?: number;
      /** Forward requests in flight to one owner at once (default 4). */
      forwardConcurrency?: number;
      /**
       * How forward requests are compressed: `none` (default; gzip costs both replicas more CPU
       * than forwarding itself, measured by `yarn bench:cluster`) or `gzip`, for replicas whose
       * network between them is slow or metered.
       */
      forwardCompression?: 'none' | 'gzip';
    };
    /** The Prometheus exposition, `GET /metrics`. */
    metrics?: {
      /** Seconds one collection answers every scrape (default 10; 0 collects per scrape). */
      cacheSeconds?: number;
      /**
       * When true, `/metrics` needs credentials: a signed-in user, a backend plugin or a read
       * token (default false: anyone may scrape).
       */
      requireAuth?: boolean;
    };
    /** How the health checks (`checks`) run. */
    checkScheduler?: {
      /** Checks run at once on one replica (default 16); the others wait their turn. */
      concurrency?: number;
      /** Days of check runs kept (default 30); the latest run of each check is always kept. */
      historyRetentionDays?: number;
      /** Days of status transitions kept for incidents and the monthly report (default 400). */
      transitionRetentionDays?: number;
      /**
       * Least seconds between two on-demand runs of one check (`POST /checks/:id/run`; default
       * 10); a request while a run is in flight joins it, one sooner answers 429.
       */
      runNowMinIntervalSeconds?: number;
    };
    /**
     * Health checks of the tracing system, each run once per interval across all replicas.
     * Types: otel-collector, jaeger, elasticsearch, opensearch, prometheus-query,
     * tls-certificate, http, pipeline, service-volume, and any added by backend modules.
     */
    checks?: Array<{
      /** Unique; lowercase letters, digits, ".", "_" and "-". */
      id: string;
      type: string;
      /** Shown on the health board (default: the id). */
      title?: string;
      /**
       * URL (or host:port for tls-certificate) of what is checked; a path such as
       * "/api/tracing-health/health" is resolved against backend.baseUrl (this portal's own
       * backend). pipeline and service-volume take none.
       */
      target?: string;
      /** The OTel service.name the check concerns; shown on that service's Tracing tab. */
      service?: string;
      /** How often the check runs, e.g. "1m", "PT30S" or { minutes: 1 } (default 1 minute). */
      interval?: string | { [unit: string]: number };
      /** How long one run may take before it is aborted and marked (default 10 seconds). */
      timeout?: string | { [unit: string]: number };
      /** Per measurement of the type, e.g. queueUtilization: { warning: 0.8, critical: 0.95 }. */
      thresholds?: {
        [measurement: string]: {
          warning?: number;
          critical?: number;
          direction?: 'above' | 'below';
        };
      };
      /** A runbook id for every non-ok result of this check (default: the type's runbooks). */
      runbook?: string;
      /**
       * Request headers for the target, e.g. Authorization.
       * @visibility secret
       */
      headers?: { [name: string]: string };
      /** Type-specific options (e.g. metricsUrl, query, collectorHealthUrl). */
      options?: { [key: string]: any };
    }>;
    /** Span metrics, coverage rollups and the coverage pages. */
    coverage?: {
      /** Hours of 1-minute rollups kept (default 48); also the longest chart. */
      retentionHours?: number;
      /** Rows kept per service at most (default 2 × retentionHours × 60); the oldest go first. */
      maxRowsPerService?: number;
      /** Minutes the RED and completeness figures average over (default 15). */
      windowMinutes?: number;
      /** Seconds between rollup writes (default 60); buckets stay 1 minute. */
      flushIntervalSeconds?: number;
      /** Seconds a trace's spans may take to arrive before missing parents count as orphans (default 30). */
      completenessWindowSeconds?: number;
      /** Traces tracked for completeness at once (default 50000). */
      maxTraces?: number;
      /** Distinct service names with their own series (default 1000); the rest count as `__other__`. */
      maxServices?: number;
      /** Hours within which a service name no component maps to is listed as unregistered (default 24). */
      unregisteredLookbackHours?: number;
    };
    /**
     * The service graph: calls paired from client and server spans before sampling (rollups follow
     * `coverage.retentionHours`, `windowMinutes` and `flushIntervalSeconds`).
     */
    serviceGraph?: {
      /** Seconds an unpaired client or server span waits for its other half (default 10). */
      waitSeconds?: number;
      /** Unpaired halves held at once per pipeline worker (default 20000); more are dropped and counted. */
      maxPending?: number;
      /** Distinct edges per pipeline worker (default 1000); calls on more are dropped and counted. */
      maxEdges?: number;
      /** Rollup rows kept at most (default 500000); the oldest minutes go first. */
      maxRows?: number;
    };
    /**
     * Sampling. The control plane layers each service's policy: its component's tier (seed:
     * critical 100%, standard 10%, high-volume 1%) then `tiers.<tier>`, or for a service without
     * a component the standard tier's policy then `default`; then the policy stored by the
     * service's owners; then active emergency overrides; then maintenance.
     */
    sampling?: {
      /** Seconds between each replica's polls of the policy version (default 5). */
      refreshSeconds?: number;
      /** Seconds between re-reads of which component emits which service.name (default 60). */
      catalogRefreshSeconds?: number;
      /** Seconds between removals (and audit records) of expired overrides (default 30). */
      expiryCheckSeconds?: number;
      /** Longest emergency override or maintenance window, in minutes (default 1440). */
      maxEmergencyMinutes?: number;
      /**
       * Owner budgets (issue 16): how many kept spans per second and/or bytes per day the
       * services of an owner group may keep (traces they root, last hour). The policy preview
       * warns when a change would exceed it; the fleet page shows use against it; the Grafana
       * app alerts when an owner stays over it. Budgets set with `PUT /budgets/:owner` (admins)
       * replace these. Validated at start-up.
       */
      budgets?: Array<{
        /** A group entity ref, e.g. `group:default/payments-team`. */
        owner: string;
        spansPerSecond?: number;
        bytesPerDay?: number;
      }>;
      /** One-click boosts to 100% by a service's owners. */
      boost?: {
        /** Default length in minutes (default 15). */
        defaultMinutes?: number;
        /** Longest boost in minutes (default 60). */
        maxMinutes?: number;
      };
      /** Spans per trace assumed when rendering rate limits as collector `spans_per_second` (default 1). */
      collectorSpansPerTrace?: number;
      /**
       * Groups whose members may use emergency overrides and maintenance mode and change any
       * service's policy (read by the portal's permission policy; default group:default/platform-team).
       */
      adminGroups?: string[];
      /** A policy patch over the standard tier's policy, for services without a component. */
      default?: SamplingPolicyPatchConfig;
      /** A policy patch per tier, over the tier's seed. */
      tiers?: {
        critical?: SamplingPolicyPatchConfig;
        standard?: SamplingPolicyPatchConfig;
        'high-volume'?: SamplingPolicyPatchConfig;
      };
      /** The adaptive sampler (per replica). */
      adaptive?: {
        /** Milliseconds between rate recomputations. */
        intervalMs?: number;
        warmupMs?: number;
        /** Largest factor by which a rate may grow in one step. */
        maxIncreaseFactor?: number;
        maxServices?: number;
      };
      /** The tail sampler: traces wait, bounded by traces and bytes, then are decided whole. */
      tail?: {
        enabled?: boolean;
        /** How long a trace waits for its spans (default 10000). */
        decisionWaitMs?: number;
        /** Traces held at most (default 50000); beyond it the oldest are decided early. */
        maxTraces?: number;
        /** Bytes held at most (default 128 MiB); beyond it the oldest are decided early. */
        maxBytes?: number;
        tickIntervalMs?: number;
        /** Hold waiting spans as their protobuf bytes (default true), ~5x less memory than objects. */
        compactHeldSpans?: boolean;
        decisionCache?: { sampledSize?: number; notSampledSize?: number };
        /**
         * Extra tail policies, as the OpenTelemetry Collector's `tail_sampling` ones with
         * camelCase fields (see TailPolicyConfig in configTailPolicies.d.ts). Validated at start-up.
         */
        policies?: TailPolicyConfig[];
      };
    };
    /**
     * The embedded pipeline: OTLP/HTTP in at /api/tracing-health/v1/traces, memory limiter,
     * sanitizer, sampling, batcher, exporters. Validated at start-up; errors name the key.
     */
    pipeline?: {
      receiver?: {
        /** Largest request body after decompression (default 20 MiB, as the Collector's); larger gets 413. */
        maxBodyBytes?: number;
        /** Largest request body as sent, before decompression (default: maxBodyBytes); larger gets 413. */
        maxCompressedBodyBytes?: number;
        /** Requests read and decoded at once (default 4); memory is reserved as their bodies stream in. */
        maxConcurrentDecodes?: number;
        /** Requests that may wait for a decode slot (default 64); beyond it 503 + Retry-After. */
        maxQueuedDecodes?: number;
        /** How long a request waits for a decode slot before 503 + Retry-After (default 1000). */
        decodeQueueTimeoutMs?: number;
        /**
         * Worker mode: bytes of request bodies the portal's main thread is reading or has handed
         * to the pipeline workers and not yet answered (default 4 x the compressed body limit);
         * beyond it 503 + Retry-After.
         */
        maxInFlightBodyBytes?: number;
      };
      /** Caps on what the whole pipeline holds (queues included); above soft → 429/503. */
      memory?: {
        softLimitBytes?: number;
        hardLimitBytes?: number;
        softLimitSpans?: number;
        hardLimitSpans?: number;
        /** Seconds in the Retry-After header of refusals (default 5). */
        retryAfterSeconds?: number;
      };
      sanitizer?: {
        /** Apply the built-in rules (auth headers, cookies, password/secret/token keys, JWTs, cards). */
        useDefaults?: boolean;
        /**
         * Extra rules: a case-insensitive key and/or value pattern and an action. Patterns are RE2
         * syntax (linear time; no lookaround or back-references: start-up fails naming the rule).
         */
        rules?: Array<{
          name?: string;
          key?: string;
          value?: string;
          action: 'delete' | 'hash' | 'mask';
          check?: 'luhn';
        }>;
      };
      batch?: {
        sendBatchSize?: number;
        /** 0 = no limit. */
        sendBatchMaxSize?: number;
        timeoutMs?: number;
      };
      /** OTLP/HTTP protobuf (gzip) destinations; none = spans are measured, then dropped. */
      exporters?: Array<{
        name: string;
        /**
         * Full URL of the traces endpoint, e.g. http://tempo:4318/v1/traces. Credentials in the
         * URL (`user:password@`) are refused at start-up: put them in `headers`.
         */
        endpoint: string;
        /** @visibility secret */
        headers?: { [name: string]: string };
        timeoutMs?: number;
        /** Batches held before refusing more (default 1000). */
        queueSize?: number;
        concurrency?: number;
        retry?: {
          initialIntervalMs?: number;
          maxIntervalMs?: number;
          maxElapsedMs?: number;
        };
        /** A directory where queued batches survive a restart. */
        persistentQueueDir?: string;
      }>;
      /** Batches an exporter would drop go to this file as OTLP JSON lines. */
      fallback?: {
        path: string;
        /**
         * Size at which the file is renamed to `<path>.1` (default 256 MiB). While `<path>.1`
         * exists and the file is full again, batches are dropped (`dropped{reason="fallback_full"}`):
         * collect `<path>.1` to make room.
         */
        maxBytes?: number;
      };
      shutdownTimeoutMs?: number;
      /**
       * Worker threads the pipeline runs in (default: one less than the cores, at least 1; 0 runs
       * it on the portal's event loop as before). Each worker has a heap capped at its share of
       * `memory.hardLimitBytes` plus room to decode; spans are sharded among the workers by trace
       * id. A worker that dies or hangs is replaced, its requests in flight get 503 + Retry-After,
       * and exporters' persistent queues live in `<persistentQueueDir>/worker-<i>`.
       */
      workers?: number;
    };
  };
}

/** A partial sampling policy (see SamplingPolicyPatch in @internal/plugin-tracing-health-common). */
interface SamplingPolicyPatchConfig {
  strategy?:
    | { type: 'probabilistic'; rate: number }
    | {
        type: 'adaptive';
        targetTracesPerSecond: number;
        minRate: number;
        maxRate: number;
      }
    | { type: 'rate-limiting'; tracesPerSecond: number };
  operations?: Array<{
    /** `pattern` is an unanchored RE2 regex (linear time; no lookaround or back-references). */
    match:
      | { type: 'span-name'; name: string }
      | { type: 'span-name-regex'; pattern: string }
      | { type: 'attribute'; key: string; equals: string | number | boolean };
    rate: number;
    description?: string;
  }>;
  /** keepSlowerThanMs: false turns the slow rule off (app-config drops null values). */
  alwaysKeep?: {
    keepErrors?: boolean;
    keepSlowerThanMs?: number | false | null;
  };
  samplingLocation?: 'pipeline' | 'sdk';
}
