import { formatPercent, formatRate, formatTraffic } from './format';

describe('coverage formats', () => {
  it('formats rates', () => {
    expect(formatRate(undefined)).toBe('—');
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(0.004)).toBe('<0.01/s');
    expect(formatRate(2.836)).toBe('2.84/s');
    expect(formatRate(123.4)).toBe('123/s');
    expect(formatPercent(0.25)).toBe('25.0%');
  });

  it('shows the requests a service receives, even when it starts no traces', () => {
    expect(formatTraffic({ requestsPerSecond: 2.84, tracesPerSecond: 0 })).toBe(
      '2.84/s',
    );
    expect(formatTraffic({ requestsPerSecond: 0, tracesPerSecond: 0.5 })).toBe(
      '0.50/s started',
    );
    expect(formatTraffic({ requestsPerSecond: 0, tracesPerSecond: 0 })).toBe(
      '0/s',
    );
  });
});
