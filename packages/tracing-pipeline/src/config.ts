import { z } from 'zod';
import { safeRegexProblem } from '@internal/tracing-model';

const MiB = 1024 * 1024;

// Backstage config values substituted from env vars arrive as strings.
const fromNumericString = (v: unknown) =>
  typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
const integer = () =>
  z
    .number({ invalid_type_error: 'must be an integer' })
    .int('must be an integer');

const positiveInt = (fallback: number) =>
  z
    .preprocess(fromNumericString, integer().positive('must be positive'))
    .default(fallback);

const nonNegativeInt = (fallback: number) =>
  z
    .preprocess(fromNumericString, integer().min(0, 'must not be negative'))
    .default(fallback);

// 'true' and 'false' strings become booleans; anything else is left for zod to judge.
function fromBooleanString(v: unknown): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}

const booleanish = (fallback: boolean) =>
  z
    .preprocess(
      fromBooleanString,
      z.boolean({ invalid_type_error: 'must be true or false' }),
    )
    .default(fallback);

/** A sanitizer pattern: it runs on RE2 (linear time), so no back-references and no lookaround. */
const regexSource = z
  .string()
  .min(1, 'must not be empty')
  .superRefine((source, ctx) => {
    const problem = safeRegexProblem(source, { ignoreCase: true });
    if (problem)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

const httpUrl = z
  .string({ required_error: 'is required' })
  .refine(
    v => /^https?:\/\/[^/\s]+/i.test(v) && URL.canParse(v),
    'must be an http(s) URL',
  );

export const REDACTION_ACTIONS = ['delete', 'hash', 'mask'] as const;
export type RedactionAction = (typeof REDACTION_ACTIONS)[number];

const sanitizerRuleSchema = z
  .object({
    name: z.string().min(1).optional(),
    /** Case-insensitive regular expression on the attribute key. */
    key: regexSource.optional(),
    /** Case-insensitive regular expression on string values (and string array elements). */
    value: regexSource.optional(),
    action: z.enum(REDACTION_ACTIONS, {
      errorMap: () => ({
        message: `must be one of ${REDACTION_ACTIONS.join(', ')}`,
      }),
    }),
    /** Extra check on a value match, e.g. the Luhn checksum of card numbers. */
    check: z.enum(['luhn']).optional(),
  })
  .strict()
  .refine(
    r => r.key !== undefined || r.value !== undefined,
    'a rule needs a key or a value pattern',
  );

const retrySchema = z
  .object({
    initialIntervalMs: positiveInt(5_000),
    maxIntervalMs: positiveInt(30_000),
    maxElapsedMs: positiveInt(300_000),
  })
  .strict()
  .default({});

const exporterSchema = z
  .object({
    /** Metric label; unique; `fallback` is reserved. */
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9_.\-/]+$/,
        'must only contain letters, digits and _ . - /',
      )
      .refine(
        v => v !== 'fallback',
        '"fallback" is reserved for the fallback file',
      ),
    /** Full URL of the OTLP/HTTP traces endpoint, e.g. http://tempo:4318/v1/traces. */
    endpoint: httpUrl.refine(
      // Credentials in the URL would reach logs and error messages; headers are kept secret.
      v => {
        if (!URL.canParse(v)) return true; // reported by httpUrl
        const url = new URL(v);
        return url.username === '' && url.password === '';
      },
      'credentials in the URL are not allowed; use headers',
    ),
    headers: z.record(z.string()).default({}),
    timeoutMs: positiveInt(10_000),
    /** Batches (sent or waiting) an exporter holds before refusing more. */
    queueSize: positiveInt(1_000),
    /** Batches sent in parallel. */
    concurrency: positiveInt(2),
    retry: retrySchema,
    persistentQueueDir: z.string().min(1, 'must not be empty').optional(),
  })
  .strict();

const receiverSchema = z
  .object({
    /** Limit on a request body after decompression (the Collector's default: 20 MiB). */
    maxBodyBytes: positiveInt(20 * MiB),
    /** Limit on a request body as sent; defaults to maxBodyBytes. */
    maxCompressedBodyBytes: z
      .preprocess(fromNumericString, integer().positive('must be positive'))
      .optional(),
    /** Requests read and decoded at once; more wait for a slot. */
    maxConcurrentDecodes: positiveInt(4),
    /** Requests that may wait for a decode slot; beyond it they get 503 + Retry-After. */
    maxQueuedDecodes: nonNegativeInt(64),
    /** How long a request waits for a decode slot before 503 + Retry-After. */
    decodeQueueTimeoutMs: positiveInt(1_000),
    /**
     * Worker mode: bytes of request bodies the portal's main thread is reading or has handed to
     * the workers and not yet answered; beyond it 503 + Retry-After. Default 4 x the compressed
     * body limit.
     */
    maxInFlightBodyBytes: z
      .preprocess(fromNumericString, integer().positive('must be positive'))
      .optional(),
  })
  .strict()
  .transform(r => {
    const maxCompressedBodyBytes = r.maxCompressedBodyBytes ?? r.maxBodyBytes;
    return {
      ...r,
      maxCompressedBodyBytes,
      maxInFlightBodyBytes:
        r.maxInFlightBodyBytes ?? 4 * maxCompressedBodyBytes,
    };
  })
  .superRefine((r, ctx) => {
    if (r.maxInFlightBodyBytes < r.maxCompressedBodyBytes)
      ctx.addIssue({
        code: 'custom',
        path: ['maxInFlightBodyBytes'],
        message: `must be at least the compressed body limit (${r.maxCompressedBodyBytes}), or no request of that size could ever be read`,
      });
  })
  .default({});

const memorySchema = z
  .object({
    /** Estimated memory of decoded spans (several times their wire size), see receiver.ts. */
    softLimitBytes: positiveInt(384 * MiB),
    hardLimitBytes: positiveInt(512 * MiB),
    softLimitSpans: positiveInt(200_000),
    hardLimitSpans: positiveInt(250_000),
    retryAfterSeconds: positiveInt(5),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.softLimitBytes > m.hardLimitBytes)
      ctx.addIssue({
        code: 'custom',
        path: ['softLimitBytes'],
        message: 'must not exceed hardLimitBytes',
      });
    if (m.softLimitSpans > m.hardLimitSpans)
      ctx.addIssue({
        code: 'custom',
        path: ['softLimitSpans'],
        message: 'must not exceed hardLimitSpans',
      });
  })
  .default({});

const batchSchema = z
  .object({
    /** A batch is sent as soon as it holds this many spans. */
    sendBatchSize: positiveInt(8192),
    /** Batches are split to at most this many spans; 0 means no limit. */
    sendBatchMaxSize: nonNegativeInt(0),
    /** A partial batch is sent after this long. */
    timeoutMs: positiveInt(200),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.sendBatchMaxSize !== 0 && b.sendBatchMaxSize < b.sendBatchSize)
      ctx.addIssue({
        code: 'custom',
        path: ['sendBatchMaxSize'],
        message: 'must be 0 or at least sendBatchSize',
      });
  })
  .default({});

export const pipelineConfigSchema = z
  .object({
    receiver: receiverSchema,
    memory: memorySchema,
    sanitizer: z
      .object({
        useDefaults: booleanish(true),
        rules: z.array(sanitizerRuleSchema).default([]),
      })
      .strict()
      .default({}),
    batch: batchSchema,
    exporters: z
      .array(exporterSchema)
      .default([])
      .superRefine((exporters, ctx) => {
        const seen = new Set<string>();
        exporters.forEach((e, i) => {
          if (seen.has(e.name))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `duplicate exporter name "${e.name}"`,
            });
          seen.add(e.name);
        });
      }),
    /** Where batches go (as OTLP JSON lines) that an exporter would otherwise drop. */
    fallback: z
      .object({
        path: z.string().min(1, 'must not be empty'),
        /**
         * Size at which the file is renamed to `<path>.1` (when that does not exist yet); with
         * both full, batches are dropped and counted (reason fallback_full).
         */
        maxBytes: positiveInt(256 * MiB),
      })
      .strict()
      .optional(),
    /** How long shutdown() waits for queued batches to be exported. */
    shutdownTimeoutMs: positiveInt(10_000),
    /**
     * Worker threads the pipeline runs in, spans sharded among them by trace id (see
     * workers/WorkerPool). 0 runs it in the calling thread; unset: the host decides (the backend:
     * one less than the cores, at least 1).
     */
    workers: z
      .preprocess(fromNumericString, integer().min(0, 'must be 0 or more'))
      .optional(),
  })
  .strict();

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
export type PipelineConfigInput = z.input<typeof pipelineConfigSchema>;
export type ExporterConfig = PipelineConfig['exporters'][number];
export type SanitizerRuleConfig = PipelineConfig['sanitizer']['rules'][number];
export type MemoryConfig = PipelineConfig['memory'];
export type BatchConfig = PipelineConfig['batch'];

function formatPath(prefix: string, path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    return acc ? `${acc}.${part}` : part;
  }, prefix);
}

/**
 * Validates `tracingHealth.pipeline` and fills in defaults. Throws an Error naming the full
 * key path of every problem, e.g. `tracingHealth.pipeline.exporters[0].endpoint: must be an http(s) URL`.
 */
export function parsePipelineConfig(
  raw: unknown,
  keyPrefix = 'tracingHealth.pipeline',
): PipelineConfig {
  const result = pipelineConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map(issue => {
    const key = formatPath(keyPrefix, issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map(k => `${formatPath(key, [k])}: unknown key`)
        .join('; ');
    }
    const message =
      issue.code === 'invalid_type' && issue.received === 'undefined'
        ? 'is required'
        : issue.message;
    return `${key}: ${message}`;
  });
  throw new Error(`Invalid pipeline config: ${problems.join('; ')}`);
}
