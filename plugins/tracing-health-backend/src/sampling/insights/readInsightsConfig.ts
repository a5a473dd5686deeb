import { Config } from '@backstage/config';
import {
  DEFAULT_BOOST_MINUTES,
  MAX_BOOST_MINUTES,
  OwnerBudget,
  ownerBudgetConfigSchema,
} from '@internal/plugin-tracing-health-common';

export interface InsightsConfig {
  /** `tracingHealth.sampling.budgets`, by owner (lower-case entity ref). */
  budgets: Map<string, OwnerBudget>;
  boost: { defaultMinutes: number; maxMinutes: number };
}

/** Reads `tracingHealth.sampling.budgets` and `.boost`; throws naming each problem. */
export function readInsightsConfig(root: Config): InsightsConfig {
  const raw = root.getOptional('tracingHealth.sampling.budgets') ?? [];
  const parsed = ownerBudgetConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `Invalid tracingHealth.sampling.budgets: ${parsed.error.issues
        .map(i => `${i.path.join('.') || '(list)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const budgets = new Map<string, OwnerBudget>();
  for (const { owner, ...budget } of parsed.data)
    budgets.set(owner.toLocaleLowerCase('en-US'), budget);
  const maxMinutes =
    root.getOptionalNumber('tracingHealth.sampling.boost.maxMinutes') ??
    MAX_BOOST_MINUTES;
  const defaultMinutes =
    root.getOptionalNumber('tracingHealth.sampling.boost.defaultMinutes') ??
    DEFAULT_BOOST_MINUTES;
  if (!(maxMinutes > 0) || !(defaultMinutes > 0) || defaultMinutes > maxMinutes)
    throw new Error(
      'tracingHealth.sampling.boost: defaultMinutes and maxMinutes must be positive, defaultMinutes <= maxMinutes',
    );
  return { budgets, boost: { defaultMinutes, maxMinutes } };
}
