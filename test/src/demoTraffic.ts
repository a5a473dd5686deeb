import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './portal';

/** Runs `yarn demo:traffic`'s script against the portal for a while and waits for it to stop. */
export async function runDemoTraffic(options: {
  baseUrl: string;
  seconds: number;
  tracesPerSecond?: number;
}): Promise<void> {
  const demo = spawn(
    process.execPath,
    [path.join(repoRoot, 'packages/tracing-pipeline/scripts/demo-traffic.js')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        TRACING_HEALTH_OTLP_ENDPOINT: `${options.baseUrl}/api/tracing-health/v1/traces`,
        DEMO_TRACES_PER_SECOND: String(options.tracesPerSecond ?? 10),
        DEMO_DURATION_SECONDS: String(options.seconds),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  await new Promise((resolve, reject) => {
    demo.once('error', reject);
    demo.once('exit', code =>
      code === 0
        ? resolve(code)
        : reject(new Error(`demo traffic exited with ${code}`)),
    );
  });
}
