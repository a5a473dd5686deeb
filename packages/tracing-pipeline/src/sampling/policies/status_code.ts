import { z } from 'zod';
import { STATUS_CODE } from '../../otlp/model';
import { NOT_SAMPLED, SAMPLED, defineTailPolicy, policyName } from './kind';

export const STATUS_CODE_NAMES = ['UNSET', 'OK', 'ERROR'] as const;

const STATUS_BY_NAME = {
  UNSET: STATUS_CODE.UNSET,
  OK: STATUS_CODE.OK,
  ERROR: STATUS_CODE.ERROR,
};

const schema = z
  .object({
    name: policyName,
    type: z.literal('status_code'),
    /** Keep the trace when any span has one of these status codes. */
    statusCodes: z
      .array(
        z.enum(STATUS_CODE_NAMES, {
          errorMap: () => ({
            message: `must be one of ${STATUS_CODE_NAMES.join(', ')}`,
          }),
        }),
      )
      .min(1, 'must list at least one status code'),
  })
  .strict();

/** Keeps a trace when any span has one of the listed status codes. */
export const statusCode = defineTailPolicy<
  'status_code',
  z.output<typeof schema>
>({
  type: 'status_code',
  schema,
  compile(policy) {
    const codes = new Set<number>(
      policy.statusCodes.map(c => STATUS_BY_NAME[c]),
    );
    return trace =>
      trace.some(span => codes.has(span.statusCode)) ? SAMPLED : NOT_SAMPLED;
  },
  toCollector: policy => ({ status_codes: policy.statusCodes }),
  description: 'Keeps a trace when any span has one of `statusCodes`.',
  configDoc: `statusCodes: Array<${STATUS_CODE_NAMES.map(c => `'${c}'`).join(
    ' | ',
  )}>;`,
});
