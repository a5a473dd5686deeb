import { buildMonthlyReport, monthBounds } from './buildMonthlyReport';
import { renderReportMarkdown } from './renderReportMarkdown';
import { CheckTransition } from '../store/CheckResultStore';
import { CheckDefinition } from '../config/readChecksConfig';

const def = (id: string): CheckDefinition => ({
  id,
  type: 'http',
  title: id,
  intervalMs: 60_000,
  timeoutMs: 10_000,
  thresholds: {},
  options: {},
});
const t = (
  checkId: string,
  at: string,
  to: CheckTransition['to'],
  from?: CheckTransition['to'],
): CheckTransition => ({
  checkId,
  checkType: 'http',
  from,
  to,
  at: new Date(at),
  message: `${checkId} ${to}`,
  runbookId: 'collector-down',
});

describe('monthly report', () => {
  it('computes uptime from the time spent critical and lists incidents clipped to the month', () => {
    const report = buildMonthlyReport({
      month: '2026-10',
      now: new Date('2026-11-05T00:00:00Z'),
      checks: [def('collector'), def('jaeger'), def('never-ran')],
      transitions: [
        // collector: critical since September, recovers after 1 day, 3 hours critical later on
        t('collector', '2026-09-30T12:00:00Z', 'critical'),
        t('collector', '2026-10-02T00:00:00Z', 'ok', 'critical'),
        t('collector', '2026-10-10T00:00:00Z', 'critical', 'ok'),
        t('collector', '2026-10-10T03:00:00Z', 'warning', 'critical'),
        // jaeger: first run mid-month, critical until after the month ends
        t('jaeger', '2026-10-16T00:00:00Z', 'ok'),
        t('jaeger', '2026-10-31T00:00:00Z', 'critical', 'ok'),
      ],
      services: [],
      silentAfterMinutes: 10,
    });
    const month = 31 * 86400;
    const [collector, jaeger, never] = report.checks;
    expect(collector.observedSeconds).toBe(month);
    expect(collector.incidents).toBe(2);
    expect(collector.uptime).toBeCloseTo(1 - (86400 + 3 * 3600) / month, 6);
    expect(jaeger.observedSeconds).toBe(16 * 86400);
    expect(jaeger.uptime).toBeCloseTo(15 / 16, 6);
    expect(never).toMatchObject({
      uptime: undefined,
      observedSeconds: 0,
      incidents: 0,
    });
    expect(report.incidents).toEqual([
      expect.objectContaining({
        checkId: 'collector',
        startedAt: '2026-10-01T00:00:00.000Z',
        endedAt: '2026-10-02T00:00:00.000Z',
        durationSeconds: 86400,
      }),
      expect.objectContaining({
        checkId: 'collector',
        durationSeconds: 3 * 3600,
      }),
      expect.objectContaining({
        checkId: 'jaeger',
        endedAt: undefined,
        durationSeconds: 86400,
      }),
    ]);

    const markdown = renderReportMarkdown(report);
    expect(markdown).toContain('# Tracing health report: 2026-10');
    expect(markdown).toContain('| collector | http | 96.37% | 744h 0m | 2 |');
    expect(markdown).toContain(
      '| jaeger | 2026-10-31T00:00:00.000Z | ongoing | 24h 0m | jaeger critical | collector-down |',
    );
  });

  it('stops the current month at now and counts coverage from the catalog and the volume source', () => {
    const report = buildMonthlyReport({
      month: '2026-11',
      now: new Date('2026-11-02T00:00:00Z'),
      checks: [def('collector')],
      transitions: [t('collector', '2026-10-20T00:00:00Z', 'ok')],
      services: [
        {
          entityRef: 'component:default/a',
          name: 'a',
          namespace: 'default',
          settings: {
            optedIn: true,
            serviceName: 'a',
            serviceNameSource: 'metadata.name',
            tier: 'standard',
            tierSource: 'default',
            errors: [],
          },
        },
        {
          entityRef: 'component:default/b',
          name: 'b',
          namespace: 'default',
          settings: {
            optedIn: true,
            serviceName: 'b',
            serviceNameSource: 'metadata.name',
            tier: 'standard',
            tierSource: 'default',
            errors: [],
          },
        },
        {
          entityRef: 'component:default/c',
          name: 'c',
          namespace: 'default',
          settings: {
            optedIn: false,
            serviceName: 'c',
            serviceNameSource: 'metadata.name',
            tier: 'standard',
            tierSource: 'default',
            errors: [],
          },
        },
      ],
      volume: {
        tracesPerSecond: () => 1,
        lastSeen: name =>
          name === 'a' ? new Date('2026-11-01T23:58:00Z') : undefined,
        completeness: name => (name === 'a' ? 0.9 : undefined),
      },
      silentAfterMinutes: 10,
    });
    expect(report.checks[0]).toMatchObject({
      uptime: 1,
      observedSeconds: 86400,
    });
    expect(report.coverage).toEqual({
      components: 3,
      optedIn: 2,
      traced: 1,
      completeness: 0.9,
    });
  });

  it('rejects a malformed month', () => {
    expect(() => monthBounds('2026-13')).toThrow('month must be YYYY-MM');
    expect(monthBounds('2026-12').end.toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });
});
