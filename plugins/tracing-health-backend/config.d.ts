export interface Config {
  /** Configuration of the tracing-health plugins. */
  tracingHealth?: {
    /**
     * Minutes after the last span before an opted-in service counts as silent.
     * @visibility frontend
     */
    silentAfterMinutes?: number;
  };
}
