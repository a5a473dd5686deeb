import { RunbookTemplate } from '../RunbookTemplate';

export const highQueue: RunbookTemplate = {
  id: 'high-queue',
  title: 'Exporter queue filling up',
  summary:
    'The export queue of the pipeline or a Collector is above 80% of its capacity; when it is full, new spans are dropped.',
  markdown: `## Symptoms
- \`otelcol_exporter_queue_size / otelcol_exporter_queue_capacity\` above 0.8, or the embedded pipeline's queue near its capacity.
- Rising export latency; later \`Dropping data because sending_queue is full\`.

## Diagnosis
1. Is the backend slow or failing? Check *export-failures* and the backend's own health checks on the [health board]({{checksUrl}}).
2. Did volume grow? Compare \`otelcol_receiver_accepted_spans\` rate with last week; look for a new noisy service.
3. Is one exporter slow while others are fine? The \`exporter\` label tells which.
4. Are there enough consumers? \`num_consumers\` of the sending queue limits parallel exports.

## Resolution
- Backend problem: fix it first; the queue drains by itself when exports succeed again.
- Volume growth: lower sampling for high-volume services, or scale out the Collector.
- Raise \`num_consumers\` when the backend has headroom; raise \`queue_size\` only with memory to hold it.
- Consider a persistent queue (\`file_storage\`) so restarts do not lose queued spans.

## Prevention
- Capacity-plan queue size against peak throughput times the longest expected backend hiccup.
- Keep this check's warning at 80% so there is time to act before drops start.
`,
};
