/**
 * Small PromQL builders shared by the dashboards and the alert rules, so the same signal is
 * written once and reads the same everywhere.
 */

/** Grafana's range for `rate()` in dashboards; alert rules pass a fixed window instead. */
export const RATE_INTERVAL = '$__rate_interval';

/** `rate(metric[window])`. */
export function rate(metric: string, window: string): string {
  return `rate(${metric}[${window}])`;
}

/**
 * Rate of a counter that exporters spell with or without the `_total` suffix (the Collector's
 * Prometheus exporter added `_total` in newer versions): `(rate(x_total[w]) or rate(x[w]))`.
 * `name` is given without `_total`; `selector` is a label matcher list without braces.
 */
export function counterRateEitherSpelling(
  name: string,
  window: string,
  selector = '',
): string {
  const matchers = selector ? `{${selector}}` : '';
  return `(rate(${name}_total${matchers}[${window}]) or rate(${name}${matchers}[${window}]))`;
}

/** `sum by (labels) (expr)`, or `sum(expr)` without labels. */
export function sumBy(labels: readonly string[], expr: string): string {
  return labels.length
    ? `sum by (${labels.join(', ')}) (${expr})`
    : `sum(${expr})`;
}

/** `max by (labels) (expr)`, or `max(expr)` without labels. */
export function maxBy(labels: readonly string[], expr: string): string {
  return labels.length
    ? `max by (${labels.join(', ')}) (${expr})`
    : `max(${expr})`;
}

/** `histogram_quantile(q, sum by (le, ...) (rate(<histogram>_bucket[w])))`. */
export function histogramQuantile(
  quantile: number,
  histogram: string,
  window: string,
  by: readonly string[] = [],
  selector = '',
): string {
  const matchers = selector ? `{${selector}}` : '';
  return `histogram_quantile(${quantile}, ${sumBy(
    [...by, 'le'],
    rate(`${histogram}_bucket${matchers}`, window),
  )})`;
}

/**
 * A numeric code for a "one series per state, value 1 for the current one" gauge (the check
 * status, Elasticsearch's cluster colour, the coverage state), so a state-timeline or stat can
 * colour it: `max by (...) ((m{label="a"} == 1) * 0 or (m{label="b"} == 1) * 1 ...)`.
 */
export function stateCode(
  metric: string,
  label: string,
  codes: ReadonlyArray<readonly [state: string, code: number]>,
  by: readonly string[],
  selector = '',
): string {
  const extra = selector ? `, ${selector}` : '';
  const terms = codes.map(
    ([state, code]) =>
      `(${metric}{${label}="${state}"${extra}} == 1) * ${code}`,
  );
  return maxBy(by, terms.join(' or '));
}

/**
 * `failed` as a share of `total`, summed by the same labels. A labelled counter only appears at
 * its first increment, so a missing `failed` counts as 0 wherever `total` exists: the ratio then
 * reads 0 instead of returning nothing.
 */
export function shareOf(
  failed: string,
  total: string,
  by: readonly string[],
): string {
  return `(${sumBy(by, failed)} or ${sumBy(by, total)} * 0) / ${sumBy(
    by,
    total,
  )}`;
}

/** `failed / (ok + failed)`, reading 0 while nothing failed yet (see shareOf). */
export function failureRatio(
  failed: string,
  ok: string,
  by: readonly string[],
): string {
  const failedOrZero = `(${sumBy(by, failed)} or ${sumBy(by, ok)} * 0)`;
  return `${failedOrZero} / (${sumBy(by, ok)} + ${failedOrZero})`;
}

/** `expr` with a `share` label, so two shares of the same series can meet in `or`. */
export function labelled(expr: string, share: string): string {
  return `label_replace(${expr}, "share", "${share}", "", "")`;
}
