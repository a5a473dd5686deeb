import { LoggerService } from '@backstage/backend-plugin-api';
import { IngestLog, IngestSpanTotals } from './IngestLog';

function recordingLogger() {
  const lines: Array<{ level: string; message: string; meta?: unknown }> = [];
  const logger: LoggerService = {
    error: (message, meta) => lines.push({ level: 'error', message, meta }),
    warn: (message, meta) => lines.push({ level: 'warn', message, meta }),
    info: (message, meta) => lines.push({ level: 'info', message, meta }),
    debug: (message, meta) => lines.push({ level: 'debug', message, meta }),
    child: () => logger,
  };
  return { logger, lines };
}

describe('IngestLog', () => {
  let totals: IngestSpanTotals;
  let clock: number;
  let log: IngestLog;
  let lines: ReturnType<typeof recordingLogger>['lines'];

  beforeEach(() => {
    totals = {
      received: 100,
      exported: 90,
      refusedByReason: { memory_limit: 4 },
      droppedByReason: {},
    };
    clock = 1_000_000;
    const recording = recordingLogger();
    lines = recording.lines;
    log = new IngestLog({
      logger: recording.logger,
      spanTotals: () => totals,
      now: () => clock,
    });
  });

  const send = (status: number, n = 1) => {
    for (let i = 0; i < n; i++) {
      log.request({ method: 'POST', status, bytes: 512, durationMs: 2.4 });
    }
  };

  it('logs each request at debug only', () => {
    send(200, 50);
    expect(lines).toHaveLength(50);
    expect(lines.every(l => l.level === 'debug')).toBe(true);
    expect(lines[0].message).toBe('OTLP POST /v1/traces 200 512 bytes in 2 ms');
  });

  it('summarises an interval at info: requests by status, spans, refused and dropped by reason since the last summary', () => {
    send(200, 40);
    send(503, 2);
    send(401);
    totals = {
      received: 1300,
      exported: 1150,
      refusedByReason: { memory_limit: 24, shutting_down: 6 },
      droppedByReason: { invalid: 3 },
    };
    clock += 60_000;
    log.flush();
    const info = lines.filter(l => l.level === 'info');
    expect(info).toHaveLength(1);
    expect(info[0].message).toBe(
      'OTLP ingest (POST /v1/traces), last 60 s: 43 requests (200: 40, 401: 1, 503: 2); 1200 spans received; 1060 exported; 26 refused (memory_limit 20, shutting_down 6); 3 dropped (invalid 3)',
    );
    expect(info[0].meta).toEqual({
      requests: 43,
      spansReceived: 1200,
      spansExported: 1060,
      spansRefused: 26,
      spansDropped: 3,
    });
  });

  it('counts each interval from the last summary and says nothing for an idle one', () => {
    send(200, 3);
    totals = { ...totals, received: 130, exported: 120 };
    clock += 60_000;
    log.flush();
    clock += 60_000;
    log.flush();
    send(200);
    totals = { ...totals, received: 140 };
    clock += 60_000;
    log.flush();
    const info = lines.filter(l => l.level === 'info').map(l => l.message);
    expect(info).toEqual([
      'OTLP ingest (POST /v1/traces), last 60 s: 3 requests (200: 3); 30 spans received; 30 exported',
      'OTLP ingest (POST /v1/traces), last 60 s: 1 request (200: 1); 10 spans received; 0 exported',
    ]);
  });

  it('reports spans the pipeline still exports with no request in the interval (the drain at shutdown)', () => {
    totals = { ...totals, exported: 100 };
    log.stop();
    expect(lines.map(l => l.message)).toEqual([
      'OTLP ingest (POST /v1/traces), last 0 s: 0 requests; 0 spans received; 10 exported',
    ]);
  });

  it('keeps at most 16 distinct statuses per interval, whatever senders cause', () => {
    for (let status = 400; status < 440; status++) send(status);
    clock += 60_000;
    log.flush();
    const summary = lines.find(l => l.level === 'info')!.message;
    expect(summary).toContain('other: 24');
    expect(summary.match(/\d{3}: 1\b/g)).toHaveLength(16);
  });
});
