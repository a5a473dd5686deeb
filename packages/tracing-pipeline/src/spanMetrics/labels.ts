import { SPAN_KIND, STATUS_CODE } from '../otlp/model';

/** `span_kind` label values, indexed by OTLP `Span.kind` (as the Collector's spanmetrics names them). */
export const SPAN_KIND_LABELS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;
export type SpanKindLabel = (typeof SPAN_KIND_LABELS)[number];

/** `status_code` label values, indexed by OTLP `Status.code`. */
export const STATUS_CODE_LABELS = [
  'STATUS_CODE_UNSET',
  'STATUS_CODE_OK',
  'STATUS_CODE_ERROR',
] as const;
export type StatusCodeLabel = (typeof STATUS_CODE_LABELS)[number];

/** The `service` label that collects every service name beyond the cardinality cap. */
export const OVERFLOW_SERVICE = '__other__';

/** Longer `service.name` values are counted as OVERFLOW_SERVICE (labels and DB keys stay small). */
export const MAX_SERVICE_NAME_LENGTH = 255;

/** The name OpenTelemetry SDKs use when no `service.name` is configured. */
export const UNKNOWN_SERVICE = 'unknown_service';

/** Maps out-of-range kinds to UNSPECIFIED so a bad client cannot add label values. */
export function spanKindIndex(kind: number | null | undefined): number {
  return typeof kind === 'number' &&
    kind >= SPAN_KIND.UNSPECIFIED &&
    kind <= SPAN_KIND.CONSUMER
    ? kind
    : SPAN_KIND.UNSPECIFIED;
}

export function statusCodeIndex(code: number | null | undefined): number {
  return code === STATUS_CODE.OK || code === STATUS_CODE.ERROR
    ? code
    : STATUS_CODE.UNSET;
}
