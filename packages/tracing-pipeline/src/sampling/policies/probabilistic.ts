import { samplingRateSchema } from '@internal/tracing-model';
import { z } from 'zod';
import { isSampled, maxThreshold, thresholdForRate } from '../consistent';
import { NOT_SAMPLED, defineTailPolicy, policyName } from './kind';

const schema = z
  .object({
    name: policyName,
    type: z.literal('probabilistic'),
    /** Consistent with the head sampler: same trace id randomness and thresholds. */
    rate: samplingRateSchema,
  })
  .strict();

const percent = (rate: number) => +(rate * 100).toPrecision(12);

/** Keeps a share of traces, consistently with the head sampler (and writes `ot=th`). */
export const probabilistic = defineTailPolicy<
  'probabilistic',
  z.output<typeof schema>
>({
  type: 'probabilistic',
  schema,
  compile(policy) {
    const own = thresholdForRate(policy.rate);
    return trace => {
      const incoming = trace.incomingThreshold;
      const threshold = incoming ? maxThreshold(incoming, own) : own;
      return isSampled(trace.randomness, threshold)
        ? { sampled: true, threshold }
        : NOT_SAMPLED;
    };
  },
  toCollector: policy => ({ sampling_percentage: percent(policy.rate) }),
  description:
    'Keeps this share of traces (0 to 1), consistently with the head sampler.',
  configDoc: `rate: number;`,
});
