/** Grafana/Prometheus template formatting of an alert description's measured value. */
export const pct = (value: string) => `{{ ${value} | humanizePercentage }}`;
export const num = (value: string) => `{{ ${value} | humanize }}`;
export const secs = (value: string) => `{{ ${value} | humanizeDuration }}`;
export const twoDecimals = (value: string) => `{{ printf "%.2f" ${value} }}`;
