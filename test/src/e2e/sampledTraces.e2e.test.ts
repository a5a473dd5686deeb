import { runSdkClient } from '@internal/tracing-pipeline/src/testing/sdkClient';
import { startOtlpSink } from '../otlpSink';
import { eventually } from '../prometheus';
import {
  DEV_INGEST_TOKEN,
  pipelineSettled,
  RunningPortal,
  startPortal,
} from '../portal';

jest.setTimeout(600_000);

/**
 * Head sampling in the running portal: with a 10% policy, what reaches the exporter is whole
 * traces only (never part of one), and their number is within statistical bounds.
 */
describe('sampling at 10% through the portal backend', () => {
  let portal: RunningPortal;
  let sink: Awaited<ReturnType<typeof startOtlpSink>>;

  beforeAll(async () => {
    sink = await startOtlpSink();
    // The SDK client marks every trace's second span as an error: switch the error rule off so
    // the 10% strategy alone decides. Services without a component get `default`.
    portal = await startPortal({
      configYaml: [
        'tracingHealth:',
        '  sampling:',
        '    default:',
        '      strategy: { type: probabilistic, rate: 0.1 }',
        '      alwaysKeep: { keepErrors: false }',
        '    tail: { decisionWaitMs: 2000, tickIntervalMs: 200 }',
        '  pipeline:',
        '    batch: { timeoutMs: 100 }',
        '    exporters:',
        `      - name: sink`,
        `        endpoint: ${sink.endpoint}`,
        '',
      ].join('\n'),
    });
  });

  afterAll(async () => {
    await portal?.stop();
    await sink?.close();
  });

  it('exports complete traces at the policy rate', async () => {
    const services = ['e2e-sampled-front', 'e2e-sampled-back'];
    const traces = 2000;
    const sent = await runSdkClient({
      url: `${portal.baseUrl}/api/tracing-health/v1/traces`,
      token: DEV_INGEST_TOKEN,
      encoding: 'protobuf',
      traces,
      services,
    });
    expect(sent.spans).toHaveLength(traces * 2);

    // Wait until the pipeline has decided and delivered everything it accepted.
    await eventually(async () => pipelineSettled(portal.baseUrl, traces * 2), {
      what: 'every span decided and delivered',
      timeoutMs: 120_000,
    });

    const byTrace = new Map<string, number>();
    for (const s of sink.spans.filter(r => services.includes(r.service))) {
      byTrace.set(s.traceId, (byTrace.get(s.traceId) ?? 0) + 1);
    }
    // No partial traces: every exported trace has both of its spans.
    expect([...byTrace.values()].filter(n => n !== 2)).toEqual([]);
    const kept = byTrace.size;
    const sigma = Math.sqrt(traces * 0.1 * 0.9);
    expect(Math.abs(kept - traces * 0.1)).toBeLessThan(5 * sigma);
  });
});
