/** The embedded pipeline's own state, read by the `pipeline` check. */
export interface PipelineStatus {
  memoryUsedBytes: number;
  memoryLimitBytes: number;
  queueSize: number;
  queueCapacity: number;
  /** Export attempts that failed recently (the pipeline decides the window, e.g. 5 minutes). */
  exportFailuresRecent: number;
  /** Cumulative since start. */
  spansReceived: number;
  /** Cumulative since start. */
  spansDropped: number;
}

/** Implemented by the embedded pipeline. */
export interface PipelineStatusProvider {
  status(): PipelineStatus;
}

/** Per-service trace volume, implemented by the coverage store. */
export interface ServiceVolumeProvider {
  /** Recent traces per second started by `serviceName`, or undefined when never seen. */
  tracesPerSecond(serviceName: string): number | undefined;
  /**
   * Recent requests per second `serviceName` received (entry spans: SERVER and CONSUMER), or the
   * traces it started when it receives none; undefined when never seen or not measured yet. The
   * `service-volume` check measures this when the source provides it, else `tracesPerSecond`.
   */
  requestsPerSecond?(serviceName: string): number | undefined;
  lastSeen(serviceName: string): Date | undefined;
  /** Share (0..1) of recent traces judged complete, when the source tracks it. */
  completeness?(serviceName: string): number | undefined;
}
