import { parsePipelineConfig } from './config';

describe('parsePipelineConfig', () => {
  it('fills in defaults for an empty or missing config', () => {
    for (const raw of [undefined, null, {}]) {
      const config = parsePipelineConfig(raw);
      expect(config.receiver).toEqual({
        maxBodyBytes: 20 * 1024 * 1024,
        maxCompressedBodyBytes: 20 * 1024 * 1024,
        maxConcurrentDecodes: 4,
        maxQueuedDecodes: 64,
        decodeQueueTimeoutMs: 1000,
        maxInFlightBodyBytes: 80 * 1024 * 1024,
      });
      expect(config.memory).toEqual({
        softLimitBytes: 384 * 1024 * 1024,
        hardLimitBytes: 512 * 1024 * 1024,
        softLimitSpans: 200_000,
        hardLimitSpans: 250_000,
        retryAfterSeconds: 5,
      });
      expect(config.sanitizer).toEqual({ useDefaults: true, rules: [] });
      expect(config.batch).toEqual({
        sendBatchSize: 8192,
        sendBatchMaxSize: 0,
        timeoutMs: 200,
      });
      expect(config.exporters).toEqual([]);
      expect(config.fallback).toBeUndefined();
    }
  });

  it('fills in exporter defaults and accepts numbers given as strings', () => {
    const config = parsePipelineConfig({
      exporters: [
        {
          name: 'tempo',
          endpoint: 'http://tempo:4318/v1/traces',
          timeoutMs: '2000',
        },
      ],
      sanitizer: { useDefaults: 'false' },
    });
    expect(config.exporters[0]).toEqual({
      name: 'tempo',
      endpoint: 'http://tempo:4318/v1/traces',
      headers: {},
      timeoutMs: 2000,
      queueSize: 1000,
      concurrency: 2,
      retry: {
        initialIntervalMs: 5000,
        maxIntervalMs: 30000,
        maxElapsedMs: 300000,
      },
    });
    expect(config.sanitizer.useDefaults).toBe(false);
  });

  it('limits the compressed body like the decompressed one unless told otherwise', () => {
    expect(
      parsePipelineConfig({ receiver: { maxBodyBytes: 1000 } }).receiver,
    ).toMatchObject({ maxBodyBytes: 1000, maxCompressedBodyBytes: 1000 });
    expect(
      parsePipelineConfig({
        receiver: { maxBodyBytes: 1000, maxCompressedBodyBytes: '300' },
      }).receiver,
    ).toMatchObject({ maxBodyBytes: 1000, maxCompressedBodyBytes: 300 });
  });

  it('defaults the fallback file cap to 256 MiB', () => {
    expect(parsePipelineConfig({ fallback: { path: '/x' } }).fallback).toEqual({
      path: '/x',
      maxBytes: 256 * 1024 * 1024,
    });
  });

  it.each([
    'http://user:secret@tempo:4318/v1/traces',
    'https://token@tempo/v1/traces',
    'http://:secret@tempo/v1/traces',
  ])(
    'refuses credentials in exporter endpoint %s without repeating them',
    endpoint => {
      let message = '';
      try {
        parsePipelineConfig({ exporters: [{ name: 'a', endpoint }] });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toBe(
        'Invalid pipeline config: tracingHealth.pipeline.exporters[0].endpoint: credentials in the URL are not allowed; use headers',
      );
    },
  );

  it('accepts an @ outside the host part of an endpoint', () => {
    expect(() =>
      parsePipelineConfig({
        exporters: [{ name: 'a', endpoint: 'http://tempo/v1/traces?by=a@b' }],
      }),
    ).not.toThrow();
  });

  it('is idempotent on its own output', () => {
    const once = parsePipelineConfig({
      exporters: [{ name: 'a', endpoint: 'https://x/v1/traces' }],
    });
    expect(parsePipelineConfig(once)).toEqual(once);
  });

  it.each([
    [
      { exporters: [{ name: 'a', endpoint: 'ftp://x' }] },
      'tracingHealth.pipeline.exporters[0].endpoint: must be an http(s) URL',
    ],
    [
      { exporters: [{ name: 'a' }] },
      'tracingHealth.pipeline.exporters[0].endpoint: is required',
    ],
    [
      { exporters: [{ endpoint: 'http://x' }] },
      'tracingHealth.pipeline.exporters[0].name: is required',
    ],
    [
      { exporters: [{ name: 'fallback', endpoint: 'http://x' }] },
      'tracingHealth.pipeline.exporters[0].name: "fallback" is reserved',
    ],
    [
      {
        exporters: [
          { name: 'a', endpoint: 'http://x' },
          { name: 'a', endpoint: 'http://y' },
        ],
      },
      'tracingHealth.pipeline.exporters[1].name: duplicate exporter name "a"',
    ],
    [
      {
        exporters: [
          { name: 'a', endpoint: 'http://x', retry: { maxElapsedMs: -1 } },
        ],
      },
      'tracingHealth.pipeline.exporters[0].retry.maxElapsedMs: must be positive',
    ],
    [
      { receiver: { maxBodyBytes: 'lots' } },
      'tracingHealth.pipeline.receiver.maxBodyBytes: must be an integer',
    ],
    [
      { receiver: { maxBodyBytes: 1.5 } },
      'tracingHealth.pipeline.receiver.maxBodyBytes: must be an integer',
    ],
    [
      { memory: { softLimitBytes: 10, hardLimitBytes: 5 } },
      'tracingHealth.pipeline.memory.softLimitBytes: must not exceed hardLimitBytes',
    ],
    [
      { memory: { softLimitSpans: 10, hardLimitSpans: 5 } },
      'tracingHealth.pipeline.memory.softLimitSpans: must not exceed hardLimitSpans',
    ],
    [
      { batch: { sendBatchSize: 100, sendBatchMaxSize: 10 } },
      'tracingHealth.pipeline.batch.sendBatchMaxSize: must be 0 or at least sendBatchSize',
    ],
    [
      { sanitizer: { rules: [{ action: 'mask' }] } },
      'tracingHealth.pipeline.sanitizer.rules[0]: a rule needs a key or a value pattern',
    ],
    [
      { sanitizer: { rules: [{ key: 'x', action: 'burn' }] } },
      'tracingHealth.pipeline.sanitizer.rules[0].action: must be one of delete, hash, mask',
    ],
    [
      { sanitizer: { rules: [{ key: '(', action: 'mask' }] } },
      'tracingHealth.pipeline.sanitizer.rules[0].key: is not a valid regular expression (RE2 syntax)',
    ],
    [
      {
        sanitizer: {
          rules: [{ value: '(?<=token=)[a-z0-9]+', action: 'mask' }],
        },
      },
      'tracingHealth.pipeline.sanitizer.rules[0].value: must not use lookahead or lookbehind',
    ],
    [
      {
        sanitizer: {
          rules: [
            { key: 'x', action: 'mask' },
            { key: '(a)\\1', action: 'mask' },
          ],
        },
      },
      'tracingHealth.pipeline.sanitizer.rules[1].key: must not use back-references',
    ],
    [
      { sanitizer: { useDefaults: 'yes' } },
      'tracingHealth.pipeline.sanitizer.useDefaults: must be true or false',
    ],
    [{ fallback: {} }, 'tracingHealth.pipeline.fallback.path: is required'],
    [
      { fallback: { path: '/x', maxBytes: 0 } },
      'tracingHealth.pipeline.fallback.maxBytes: must be positive',
    ],
    [
      { receiver: { maxConcurrentDecodes: 0 } },
      'tracingHealth.pipeline.receiver.maxConcurrentDecodes: must be positive',
    ],
    [
      { receiver: { maxCompressedBodyBytes: -1 } },
      'tracingHealth.pipeline.receiver.maxCompressedBodyBytes: must be positive',
    ],
    [
      { receiver: { maxBodyBytes: 2048, maxInFlightBodyBytes: 1024 } },
      'tracingHealth.pipeline.receiver.maxInFlightBodyBytes: must be at least the compressed body limit (2048)',
    ],
    [{ recevier: {} }, 'tracingHealth.pipeline.recevier: unknown key'],
    [
      { exporters: [{ name: 'a', endpoint: 'http://x', header: {} }] },
      'tracingHealth.pipeline.exporters[0].header: unknown key',
    ],
  ])('rejects %j naming the key', (raw, message) => {
    expect(() => parsePipelineConfig(raw)).toThrow(message);
  });

  it('uses the given key prefix', () => {
    expect(() =>
      parsePipelineConfig({ batch: { timeoutMs: 0 } }, 'pipeline'),
    ).toThrow('pipeline.batch.timeoutMs: must be positive');
  });
});
