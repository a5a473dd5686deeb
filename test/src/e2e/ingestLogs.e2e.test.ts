import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runDemoTraffic } from '../demoTraffic';
import { eventually } from '../prometheus';
import {
  DEV_INGEST_TOKEN,
  outputDir,
  repoRoot,
  RunningPortal,
  startPortal,
} from '../portal';

jest.setTimeout(300_000);

const SUMMARY_SECONDS = 2;
const SUMMARY =
  /OTLP ingest \(POST \/v1\/traces\), last \d+ s: (\d+) requests?\b/;

// The backend's console lines without colours; with NODE_ENV=development each reads
// "<time> <plugin or service> <level> <message> <meta>".
function logLines(portal: RunningPortal): string[] {
  const ansiColour = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  return portal.logs().replace(ansiColour, '').split('\n');
}
const levelOf = (line: string) => / (error|warn|info|debug) /.exec(line)?.[1];

/** One OTLP/JSON export request with one span of `service`. */
function otlpRequest(service: string, i: number) {
  const traceId = (i + 1).toString(16).padStart(32, '0');
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
          ],
        },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: (i + 1).toString(16).padStart(16, '0'),
                name: 'GET /',
                kind: 2,
                startTimeUnixNano: String(now - 5_000_000n),
                endTimeUnixNano: String(now),
              },
            ],
          },
        ],
      },
    ],
  });
}

/** The backstage-cli process running the backend started with `configFile` (one per run). */
function backstageCliPid(configFile: string): number {
  const line = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .find(l => l.includes('backstage-cli') && l.includes(configFile));
  if (!line) throw new Error(`no backstage-cli process with ${configFile}`);
  return Number(line.trim().split(/\s+/)[0]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ingest logging under demo traffic', () => {
  let portal: RunningPortal;
  let demo: ChildProcess | undefined;
  let configFile: string;
  // An export target that takes requests and never answers, so the pipeline's drain at
  // shutdown lasts its whole shutdownTimeoutMs while senders keep posting: the window in which
  // every request used to be logged as an error with a stack.
  const hangingSink = http.createServer(req => req.resume());

  beforeAll(async () => {
    await new Promise<void>(resolve =>
      hangingSink.listen(0, '127.0.0.1', resolve),
    );
    const sinkPort = (hangingSink.address() as AddressInfo).port;
    configFile = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'th-e2e-ingest-logs-')),
      'app-config.ingest-logs.yaml',
    );
    fs.writeFileSync(
      configFile,
      [
        'tracingHealth:',
        '  ingestLog:',
        `    summarySeconds: ${SUMMARY_SECONDS}`,
        '  pipeline:',
        '    shutdownTimeoutMs: 4000',
        '    exporters:',
        '      - name: hanging',
        `        endpoint: http://127.0.0.1:${sinkPort}/v1/traces`,
        '',
      ].join('\n'),
    );
    portal = await startPortal({ extraConfig: [configFile] });
  });

  afterAll(async () => {
    demo?.kill('SIGKILL');
    await portal?.stop();
    hangingSink.closeAllConnections();
    await new Promise(resolve => hangingSink.close(resolve));
    // The backend's whole log, to read what it says under traffic and while stopping.
    if (portal) {
      fs.mkdirSync(outputDir, { recursive: true });
      fs.writeFileSync(
        path.join(outputDir, 'ingest-logs-backend.log'),
        portal.logs(),
      );
    }
  });

  it('logs no info line per OTLP request, only the periodic summary counting them', async () => {
    const requests = 60;
    for (let i = 0; i < requests; i++) {
      const res = await fetch(
        `${portal.baseUrl}/api/tracing-health/v1/traces`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${DEV_INGEST_TOKEN}`,
            'content-type': 'application/json',
          },
          body: otlpRequest('e2e-ingest-logs', i),
        },
      );
      expect(res.status).toBe(200);
    }
    // The summaries of the intervals that saw these requests add up to exactly them.
    const summed = () =>
      logLines(portal)
        .map(line => SUMMARY.exec(line))
        .reduce((n, m) => n + (m ? Number(m[1]) : 0), 0);
    await eventually(async () => summed() === requests, {
      what: 'summaries counting every request',
    });

    // Demo traffic (the real SDK, ten services) on top, for the kind of load that was logged.
    await runDemoTraffic({
      baseUrl: portal.baseUrl,
      seconds: 6,
      tracesPerSecond: 20,
    });
    await eventually(async () => summed() > requests, {
      what: 'a summary of the demo traffic',
    });

    const ingestInfo = logLines(portal).filter(
      line => levelOf(line) === 'info' && line.includes('/v1/traces'),
    );
    const perRequest = ingestInfo.filter(line => !SUMMARY.test(line));
    expect(perRequest).toEqual([]);
    expect(ingestInfo.length).toBeGreaterThan(0);
  });

  it('stops quietly under traffic: no errors or stacks, one warn line for the 503s of the drain, and demo traffic exits 0', async () => {
    demo = spawn(
      process.execPath,
      [
        path.join(
          repoRoot,
          'packages/tracing-pipeline/scripts/demo-traffic.js',
        ),
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          TRACING_HEALTH_OTLP_ENDPOINT: `${portal.baseUrl}/api/tracing-health/v1/traces`,
          DEMO_TRACES_PER_SECOND: '30',
          DEMO_GIVE_UP_SECONDS: '2',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let demoOutput = '';
    demo.stdout!.on('data', d => (demoOutput += d));
    demo.stderr!.on('data', d => (demoOutput += d));
    const demoExit = new Promise<number | null>(resolve =>
      demo!.once('exit', resolve),
    );
    await eventually(async () => demoOutput.includes('traces/s'), {
      what: 'demo traffic to start',
    });
    await new Promise(r => setTimeout(r, 3_000));

    // Stop as scripts/start.sh does: one SIGTERM to backstage-cli, which forwards one to the
    // backend and waits for its shutdown hooks (the pipeline's drain among them).
    const before = logLines(portal).length;
    const cli = backstageCliPid(configFile);
    process.kill(cli, 'SIGTERM');
    // The demo exports every 500 ms and a drain can be shorter than that, or than one sender's
    // pause: three senders post back to back, so that requests arrive throughout the drain.
    let stopped = false;
    const drainSenders = Array.from({ length: 3 }, async () => {
      while (!stopped) {
        const posted = await fetch(
          `${portal.baseUrl}/api/tracing-health/v1/traces`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${DEV_INGEST_TOKEN}`,
              'content-type': 'application/json',
            },
            body: '{"resourceSpans":[]}',
          },
        )
          .then(res => res.arrayBuffer())
          .catch(() => undefined);
        // Refused at the door (the server closed): no busy loop.
        if (posted === undefined) await new Promise(r => setTimeout(r, 5));
      }
    });
    await eventually(async () => !alive(cli), {
      timeoutMs: 60_000,
      what: 'the backend to stop',
    });
    stopped = true;
    await Promise.all(drainSenders);
    await portal.stop();
    const shutdownLines = logLines(portal).slice(before);
    expect(shutdownLines.join('\n')).toContain('drained');

    expect(shutdownLines.filter(line => /^\s+at /.test(line))).toEqual([]);
    expect(shutdownLines.filter(line => levelOf(line) === 'error')).toEqual([]);
    // Senders kept posting through the drain: their 503s are this one line.
    expect(
      shutdownLines.filter(
        line => /shutting down/i.test(line) && levelOf(line) === 'warn',
      ),
    ).toHaveLength(1);

    expect(await demoExit).toBe(0);
    expect(demoOutput).not.toMatch(/^\s+at /m);
    expect(demoOutput).toContain('demo traffic: sent');
  });
});
