import { Config } from '@backstage/config';
import {
  TRACING_INGEST_SUBJECT,
  TRACING_READ_SUBJECT,
} from '@internal/plugin-tracing-health-common';

/** Config keys of the access rules for external-access tokens (declared in config.d.ts). */
export const ACCESS_CONFIG_KEYS = {
  ingestSubjects: 'tracingHealth.auth.ingestSubjects',
  readSubjects: 'tracingHealth.auth.readSubjects',
} as const;

/** Which external-access token subjects may do what. */
export interface AccessConfig {
  /** May only `POST /v1/traces`. */
  ingestSubjects: ReadonlySet<string>;
  /** May only read (GET, HEAD, OPTIONS). */
  readSubjects: ReadonlySet<string>;
}

export function readAccessConfig(config: Config): AccessConfig {
  return {
    ingestSubjects: new Set(
      config.getOptionalStringArray(ACCESS_CONFIG_KEYS.ingestSubjects) ?? [
        TRACING_INGEST_SUBJECT,
      ],
    ),
    readSubjects: new Set(
      config.getOptionalStringArray(ACCESS_CONFIG_KEYS.readSubjects) ?? [
        TRACING_READ_SUBJECT,
      ],
    ),
  };
}
