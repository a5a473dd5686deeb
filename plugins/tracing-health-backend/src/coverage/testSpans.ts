// The pipeline's span fixtures, shared by the coverage tests.
/* eslint-disable @backstage/no-forbidden-package-imports */
export {
  batch,
  span,
} from '@internal/tracing-pipeline/src/spanMetrics/testSpans';
export type { TestSpan } from '@internal/tracing-pipeline/src/spanMetrics/testSpans';
