import { Config } from '@backstage/config';
import { z } from 'zod';

/** `tracingHealth.cluster` with defaults applied; absent: one replica, no clustering. */
export interface ClusterConfig {
  /** This replica's internal base URL as the other replicas reach it (its member id). */
  advertiseUrl: string;
  heartbeatSeconds: number;
  memberTtlSeconds: number;
  /** Seconds a forward to a peer may take before it is decided here instead. */
  forwardTimeoutSeconds: number;
}

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
    forwardTimeoutSeconds: z.coerce.number().positive().max(60).default(5),
  })
  .strict()
  .refine(c => c.memberTtlSeconds >= 2 * c.heartbeatSeconds, {
    message: 'memberTtlSeconds must be at least twice heartbeatSeconds',
    path: ['memberTtlSeconds'],
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
