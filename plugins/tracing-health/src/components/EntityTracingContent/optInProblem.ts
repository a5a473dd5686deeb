import {
  AnnotationError,
  TRACING_HEALTH_ANNOTATIONS,
} from '@internal/plugin-tracing-health-common';

/** Why a component is not opted in, in the words of the one card its Tracing tab shows. */
export interface OptInProblem {
  kind: 'missing' | 'invalid' | 'opted-out';
  title: string;
  /** Names the annotation and what is wrong with it. */
  summary: string;
}

const KEY = TRACING_HEALTH_ANNOTATIONS.enabled;
/** Shown values are cut here: the card must stay readable whatever an annotation holds. */
const MAX_SHOWN_VALUE = 60;

function shown(value: string): string {
  return value.length > MAX_SHOWN_VALUE
    ? `${value.slice(0, MAX_SHOWN_VALUE)}…`
    : value;
}

/**
 * What keeps a component out of tracing: the `tracing-health/enabled` annotation is missing,
 * holds something other than "true"/"false", or is "false".
 */
export function optInProblem(
  enabledValue: string | undefined,
  errors: AnnotationError[],
): OptInProblem {
  const invalid = errors.find(e => e.annotation === KEY);
  if (invalid || (enabledValue !== undefined && enabledValue !== 'false')) {
    return {
      kind: 'invalid',
      title: 'Fix the tracing opt-in annotation',
      summary: `${KEY} is "${shown(
        invalid?.value ?? enabledValue ?? '',
      )}", which is not a valid value: it must be "true" to opt in (or "false" to opt out).`,
    };
  }
  if (enabledValue === 'false') {
    return {
      kind: 'opted-out',
      title: 'Tracing is turned off',
      summary: `${KEY} is "false": this component opted out. Set it to "true" to opt in.`,
    };
  }
  return {
    kind: 'missing',
    title: 'Opt in to tracing',
    summary: `This component has no ${KEY} annotation, so it is not traced.`,
  };
}
