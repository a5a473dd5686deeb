/** One sample of the Prometheus text exposition format. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(["\\n])/g, (_m, c) => (c === 'n' ? '\n' : c));
}

/**
 * Parses the samples of a Prometheus text (0.0.4) or OpenMetrics exposition, skipping
 * comments and lines it cannot read.
 */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    if (match[3]) {
      for (const label of match[3].matchAll(LABEL)) {
        labels[label[1]] = unescapeLabel(label[2]);
      }
    }
    const value = parseValue(match[4]);
    if (!Number.isNaN(value)) samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/**
 * Sums the samples of a counter under either spelling: with `_total` (OpenTelemetry Go SDK
 * exporters, Collector ≥ 0.107 by default) and without (older Collectors, OpenCensus).
 * Undefined when neither spelling is present.
 */
export function sumCounter(
  samples: PrometheusSample[],
  baseName: string,
  filter?: (labels: Record<string, string>) => boolean,
): number | undefined {
  const names = new Set([baseName, `${baseName}_total`]);
  let found = false;
  let sum = 0;
  for (const sample of samples) {
    if (!names.has(sample.name)) continue;
    if (filter && !filter(sample.labels)) continue;
    found = true;
    sum += sample.value;
  }
  return found ? sum : undefined;
}
