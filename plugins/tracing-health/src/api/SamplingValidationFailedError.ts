import { SamplingValidationError } from '@internal/plugin-tracing-health-common';

/** The backend refused a sampling change: every problem, by field path (`policy.strategy.rate`). */
export class SamplingValidationFailedError extends Error {
  constructor(readonly errors: SamplingValidationError[]) {
    super(errors.map(e => `${e.path || '(request)'}: ${e.message}`).join('; '));
    this.name = 'SamplingValidationFailedError';
  }
}
