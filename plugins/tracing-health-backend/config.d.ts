export interface Config {
  /** Configuration of the tracing-health plugins. */
  tracingHealth?: {
    /**
     * Minutes after the last span before an opted-in service counts as silent.
     * @visibility frontend
     */
    silentAfterMinutes?: number;
    /** Span metrics, coverage rollups and the coverage pages. */
    coverage?: {
      /** Hours of 1-minute rollups kept (default 48); also the longest chart. */
      retentionHours?: number;
      /** Rows kept per service at most (default 2 × retentionHours × 60); the oldest go first. */
      maxRowsPerService?: number;
      /** Minutes the RED and completeness figures average over (default 15). */
      windowMinutes?: number;
      /** Seconds between rollup writes (default 60); buckets stay 1 minute. */
      flushIntervalSeconds?: number;
      /** Seconds a trace's spans may take to arrive before missing parents count as orphans (default 30). */
      completenessWindowSeconds?: number;
      /** Traces tracked for completeness at once (default 50000). */
      maxTraces?: number;
      /** Distinct service names with their own series (default 1000); the rest count as `__other__`. */
      maxServices?: number;
      /** Hours within which a service name no component maps to is listed as unregistered (default 24). */
      unregisteredLookbackHours?: number;
    };
  };
}
