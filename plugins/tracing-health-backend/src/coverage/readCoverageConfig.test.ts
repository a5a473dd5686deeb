import { ConfigReader } from '@backstage/config';
import { readCoverageConfig } from './readCoverageConfig';

describe('readCoverageConfig', () => {
  it('applies the defaults', () => {
    expect(readCoverageConfig(new ConfigReader({}))).toEqual({
      silentAfterMinutes: 10,
      windowMinutes: 15,
      retentionHours: 48,
      maxRowsPerService: 5760,
      flushIntervalSeconds: 60,
      completenessWindowSeconds: 30,
      maxTraces: 50_000,
      maxServices: 1_000,
      unregisteredLookbackHours: 24,
    });
  });

  it('reads the keys, with numbers given as strings by env substitution', () => {
    const config = readCoverageConfig(
      new ConfigReader({
        tracingHealth: {
          silentAfterMinutes: 5,
          coverage: {
            retentionHours: '24',
            flushIntervalSeconds: 5,
            maxServices: 10,
          },
        },
      }),
    );
    expect(config).toMatchObject({
      silentAfterMinutes: 5,
      retentionHours: 24,
      maxRowsPerService: 2880,
      flushIntervalSeconds: 5,
      maxServices: 10,
    });
  });

  it.each([
    [
      { coverage: { retentionHours: 0 } },
      'tracingHealth.coverage.retentionHours: must be a positive number',
    ],
    [
      { coverage: { maxRowsPerService: 1.5 } },
      'tracingHealth.coverage.maxRowsPerService: must be a positive integer',
    ],
    [
      { coverage: { windowMinutes: 2000 } },
      'tracingHealth.coverage.windowMinutes: must be a positive integer of at most 1440',
    ],
    [
      { silentAfterMinutes: -1 },
      'tracingHealth.silentAfterMinutes: must be a positive number',
    ],
  ])('names the key of a bad value %j', (tracingHealth, message) => {
    expect(() =>
      readCoverageConfig(new ConfigReader({ tracingHealth })),
    ).toThrow(message);
  });
});
