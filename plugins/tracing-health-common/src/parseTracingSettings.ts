import { Entity } from '@backstage/catalog-model';
import { z } from 'zod';
import {
  AnnotationError,
  DEFAULT_TRACING_TIER,
  TRACING_TIERS,
  TracingSettings,
} from '@internal/tracing-model';
import { TRACING_HEALTH_ANNOTATIONS } from './annotations';

// OTel service.name: any non-empty string is legal, but we reject whitespace and control
// characters that no SDK resource detector produces and that break PromQL label matching.
const serviceNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(
    /^[^\s\p{Cc}]+$/u,
    'must not contain whitespace or control characters',
  );

const enabledSchema = z.enum(['true', 'false'], {
  errorMap: () => ({ message: 'must be "true" or "false"' }),
});

const tierSchema = z.enum(TRACING_TIERS, {
  errorMap: () => ({ message: `must be one of ${TRACING_TIERS.join(', ')}` }),
});

const runbookUrlSchema = z
  .string()
  .url('must be an absolute URL')
  .refine(v => /^https?:\/\//i.test(v), 'must be an http or https URL');

function check<T>(
  schema: z.ZodType<T>,
  annotation: string,
  value: string | undefined,
  errors: AnnotationError[],
): T | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  errors.push({
    annotation,
    value,
    message: `${annotation}: ${result.error.issues
      .map(i => i.message)
      .join('; ')} (got "${value}")`,
  });
  return undefined;
}

/**
 * Turns an entity's annotations into typed tracing settings. Never throws: every invalid
 * annotation becomes an entry in `errors` naming its key, and that setting uses its default.
 */
export function parseTracingSettings(entity: Entity): TracingSettings {
  const annotations = entity.metadata.annotations ?? {};
  const errors: AnnotationError[] = [];
  const A = TRACING_HEALTH_ANNOTATIONS;

  const enabled = check(
    enabledSchema,
    A.enabled,
    annotations[A.enabled],
    errors,
  );
  const serviceName = check(
    serviceNameSchema,
    A.serviceName,
    annotations[A.serviceName],
    errors,
  );
  const tier = check(tierSchema, A.tier, annotations[A.tier], errors);
  const runbookUrl = check(
    runbookUrlSchema,
    A.runbookUrl,
    annotations[A.runbookUrl],
    errors,
  );

  return {
    optedIn: enabled === 'true',
    serviceName: serviceName ?? entity.metadata.name,
    serviceNameSource: serviceName ? 'annotation' : 'metadata.name',
    tier: tier ?? DEFAULT_TRACING_TIER,
    tierSource: tier ? 'annotation' : 'default',
    runbookUrl,
    errors,
  };
}

/** True when the entity carries any tracing-health annotation (valid or not). */
export function hasTracingAnnotations(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Object.values(TRACING_HEALTH_ANNOTATIONS).some(
    key => annotations[key] !== undefined,
  );
}
