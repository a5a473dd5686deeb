import { RunbookTemplate } from '../RunbookTemplate';

export const kafkaLag: RunbookTemplate = {
  id: 'kafka-lag',
  title: 'Kafka consumer lag',
  summary:
    'Span consumers (ingesters, Collectors reading Kafka) fall behind; traces appear late and, past retention, are lost.',
  markdown: `## Symptoms
- Consumer lag above the threshold (default alert: 100k messages) for the tracing consumer group.
- Traces show up minutes late in the query UI.

## Diagnosis
1. Which partitions lag? \`kafka-consumer-groups.sh --describe --group <group>\`; one hot partition points at key skew.
2. Are consumers healthy? Restarts, rebalances (\`Revoking previously assigned partitions\` in logs), CPU.
3. Is the storage behind the consumers slow? Check *export-failures* and the storage checks.
4. Did produce volume jump? Compare produce rate with last week.

## Resolution
- Scale consumers up to the partition count; add partitions if consumers already equal partitions.
- Fix the slow storage the consumers write to.
- Stop rebalance storms: raise \`session.timeout.ms\`, fix crashing consumers.
- If lag approaches topic retention, raise retention temporarily so data is not lost.

## Prevention
- Partition count sized for peak throughput with headroom; alert on lag trend, not only level.
- Keep topic retention longer than the worst expected consumer outage.
`,
};
