import { Config } from '@backstage/config';
import { z } from 'zod';

/** `tracingHealth.cluster` with defaults applied; absent: one replica, no clustering. */
export interface ClusterConfig {
  /** This replica's internal base URL as the other replicas reach it (its member id). */
  advertiseUrl: string;
  heartbeatSeconds: number;
  memberTtlSeconds: number;
  /** Seconds a forward to a peer may take, retries included, before it is decided here instead. */
  forwardTimeoutSeconds: number;
  /** Ms a forward waits for more spans for the same peer (coalescing). */
  forwardLingerMs: number;
  /** A forward request holds at most this many spans... */
  forwardBatchSpans: number;
  /** ...and this many bytes (OTLP protobuf, before gzip). */
  forwardBatchBytes: number;
  /** Bytes queued per peer before new spans for it are decided here (`queue_full`). */
  forwardQueueBytes: number;
  /** Forward requests in flight to one peer at once. */
  forwardConcurrency: number;
  /** none (the default) or gzip: bytes on the network against CPU on both replicas. */
  forwardCompression: 'gzip' | 'none';
}

const MiB = 1024 * 1024;

const schema = z
  .object({
    advertiseUrl: z
      .string()
      .max(500)
      .url()
      .refine(u => /^https?:$/.test(new URL(u).protocol), {
        message: 'must be an http(s) URL',
      })
      .refine(u => !new URL(u).search && !new URL(u).hash, {
        message: 'must not have a query or fragment',
      }),
    heartbeatSeconds: z.coerce.number().positive().max(60).default(2),
    memberTtlSeconds: z.coerce.number().positive().max(600).default(10),
    // Spans wait this long in a replica's memory for their owner; a trace's decision waits too.
    forwardTimeoutSeconds: z.coerce
      .number()
      .positive()
      .max(14, {
        message:
          'must be at most 14: spans whose owner does not take them are decided here after it, and a trace cannot wait much longer for its decision',
      })
      .default(5),
    forwardLingerMs: z.coerce.number().min(0).max(1000).default(500),
    forwardBatchSpans: z.coerce.number().int().positive().default(4096),
    forwardBatchBytes: z.coerce
      .number()
      .int()
      .positive()
      // Under the receivers' default body limit (20 MiB), which the owner applies to it.
      .max(16 * MiB)
      // The owner decodes a forward in one piece (about 6x its bytes in objects): a quarter MiB
      // is about 500 spans of an HTTP service; 4 MiB forwards cost twice as much per span.
      .default(MiB / 4),
    forwardQueueBytes: z.coerce
      .number()
      .int()
      .positive()
      .default(32 * MiB),
    forwardConcurrency: z.coerce.number().int().positive().max(64).default(4),
    forwardCompression: z.enum(['none', 'gzip']).default('none'),
  })
  .strict()
  .refine(c => c.memberTtlSeconds >= 2 * c.heartbeatSeconds, {
    message: 'memberTtlSeconds must be at least twice heartbeatSeconds',
    path: ['memberTtlSeconds'],
  })
  .refine(c => c.forwardQueueBytes >= c.forwardBatchBytes, {
    message: 'forwardQueueBytes must be at least forwardBatchBytes',
    path: ['forwardQueueBytes'],
  })
  .refine(c => c.forwardLingerMs < c.forwardTimeoutSeconds * 1000, {
    message: 'forwardLingerMs must be shorter than forwardTimeoutSeconds',
    path: ['forwardLingerMs'],
  });

/**
 * Reads `tracingHealth.cluster`; undefined when it is absent (the default: this replica decides
 * every trace it receives). Throws naming the offending keys.
 */
export function readClusterConfig(config: Config): ClusterConfig | undefined {
  const raw = config.getOptional('tracingHealth.cluster');
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `invalid tracingHealth.cluster: ${parsed.error.issues
        .map(i => `${['cluster', ...i.path].join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  return {
    ...parsed.data,
    // One spelling per replica: the member id every replica hashes.
    advertiseUrl: parsed.data.advertiseUrl.replace(/\/+$/, ''),
  };
}
