/* eslint-disable no-console */
/**
 * `node --import tsx bench/cluster/gcSummary.ts DIR`: sums the --trace-gc lines of each backend's
 * output that `bench:cluster` kept in DIR (BENCH_LOG_DIR, with
 * NODE_OPTIONS="--require <path to bench/cluster/traceGc.cjs>"): per process and V8 isolate (the
 * main thread and each pipeline worker), how many scavenges and mark-compacts and their pauses.
 */
import fs from 'node:fs';
import path from 'node:path';

const LINE =
  /^\[(\d+):(0x[0-9a-f]+)\]\s+\d+ ms: (Scavenge|Mark-Compact|Minor Mark-Sweep)[^,]*, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;

const dir = process.argv[2];
if (!dir) {
  console.error('usage: gcSummary.ts DIR');
  process.exit(1);
}
for (const file of fs
  .readdirSync(dir)
  .filter(f => f.endsWith('.log'))
  .sort()) {
  const totals = new Map<string, { events: number; ms: number }>();
  for (const line of fs
    .readFileSync(path.join(dir, file), 'utf8')
    .split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const key = `pid ${m[1]} isolate ${m[2]} ${m[3]}`;
    const t = totals.get(key) ?? { events: 0, ms: 0 };
    t.events++;
    t.ms += Number(m[4]);
    totals.set(key, t);
  }
  console.log(file);
  // Isolates with a handful of collections are yarn's and the CLI's, not the backend's.
  for (const [key, t] of [...totals].sort())
    if (t.events > 5)
      console.log(
        `  ${key.padEnd(52)} ${String(t.events).padStart(6)} collections ${t.ms
          .toFixed(0)
          .padStart(7)} ms paused`,
      );
}
