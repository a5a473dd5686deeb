import { Config } from '@backstage/config';
import { readSamplingSettings } from '../readSamplingConfig';

export type { InsightsConfig } from '../readSamplingConfig';

/** `tracingHealth.sampling.budgets` and `.boost` (read with the rest of the subtree). */
export function readInsightsConfig(root: Config) {
  return readSamplingSettings(root).insights;
}
