import { ConfigReader } from '@backstage/config';
import { builtinCheckTypes } from '../types/builtinCheckTypes';
import { readChecksConfig } from './readChecksConfig';

const types = new Map(
  builtinCheckTypes({
    pipelineStatus: () => undefined,
    serviceVolume: () => undefined,
    optedInServices: async () => [],
    silentAfterMinutes: 10,
  }).map(t => [t.type, t]),
);
const read = (tracingHealth: object) =>
  readChecksConfig(new ConfigReader({ tracingHealth }), types);

describe('readChecksConfig', () => {
  it('reads durations in every Backstage form and merges thresholds over the type defaults', () => {
    const config = read({
      checkScheduler: { concurrency: 4 },
      checks: [
        {
          id: 'collector',
          type: 'otel-collector',
          target: 'http://collector:13133/',
          interval: '30s',
          timeout: { seconds: 5 },
          thresholds: { queueUtilization: { warning: 0.7 } },
          options: { metricsUrl: 'http://collector:8888/metrics' },
        },
        { id: 'pipeline', type: 'pipeline', interval: 'PT2M' },
      ],
    });
    expect(config.concurrency).toBe(4);
    expect(config.historyRetentionDays).toBe(30);
    const [collector, pipeline] = config.checks;
    expect(collector).toMatchObject({
      intervalMs: 30_000,
      timeoutMs: 5_000,
      title: 'collector',
    });
    expect(collector.thresholds.queueUtilization).toEqual({
      warning: 0.7,
      critical: 0.95,
      direction: 'above',
    });
    expect(pipeline).toMatchObject({ intervalMs: 120_000, timeoutMs: 10_000 });
  });

  it("resolves a path target against the portal's backend.baseUrl", () => {
    const checks = [{ id: 'self', type: 'http', target: '/api/x/health' }];
    expect(
      readChecksConfig(
        new ConfigReader({
          backend: { baseUrl: 'http://127.0.0.1:7017/' },
          tracingHealth: { checks },
        }),
        types,
      ).checks[0].target,
    ).toBe('http://127.0.0.1:7017/api/x/health');
    expect(() => read({ checks })).toThrow(
      'tracingHealth.checks[0].target: a path needs backend.baseUrl to resolve against',
    );
  });

  it('names every problem by its key', () => {
    let message = '';
    try {
      read({
        checkScheduler: { concurrency: 0 },
        checks: [],
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('tracingHealth.checkScheduler.concurrency:');

    expect(() =>
      read({
        checks: [
          { id: 'Bad Id', type: 'http', target: 'http://x' },
          { id: 'a', type: 'nope' },
          { id: 'b', type: 'http' },
          { id: 'c', type: 'pipeline', target: 'http://x' },
          {
            id: 'd',
            type: 'http',
            target: 'http://x',
            thresholds: { latency: { warning: 1 } },
          },
          {
            id: 'e',
            type: 'prometheus-query',
            target: 'http://p',
            options: {},
          },
          {
            id: 'f',
            type: 'http',
            target: 'http://x',
            interval: '10s',
            timeout: '1m',
          },
          { id: 'g', type: 'http', target: 'http://x', interval: 'soon' },
          { id: 'f', type: 'http', target: 'http://x', runbook: 'panic' },
        ],
      }),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          new RegExp(
            [
              'tracingHealth\\.checks\\[0\\]\\.id: must be lowercase',
              'tracingHealth\\.checks\\[1\\]\\.type: unknown check type "nope"',
              'tracingHealth\\.checks\\[2\\]\\.target: required for type http',
              'tracingHealth\\.checks\\[3\\]\\.target: type pipeline takes no target',
              'tracingHealth\\.checks\\[4\\]\\.thresholds\\.latency: type http measures no "latency"',
              'tracingHealth\\.checks\\[5\\]\\.options\\.query: Required',
              'tracingHealth\\.checks\\[6\\]\\.timeout: must not be longer than the interval',
              'tracingHealth\\.checks\\[7\\]\\.interval: is not a duration',
              'tracingHealth\\.checks\\[8\\]\\.runbook: must be one of',
            ].join('[\\s\\S]*'),
          ),
        ),
      }),
    );
  });

  it('rejects a duplicate id', () => {
    expect(() =>
      read({
        checks: [
          { id: 'a', type: 'pipeline' },
          { id: 'a', type: 'pipeline' },
        ],
      }),
    ).toThrow('tracingHealth.checks[1].id: "a" is used by another check');
  });
});
