import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export interface SdkClientOptions {
  url: string;
  encoding: 'protobuf' | 'json';
  compression?: 'gzip' | 'none';
  traces: number;
  services?: string[];
  batchSize?: number;
  /** The ingest token sent as `Authorization: Bearer <token>` (default `test-ingest-token`). */
  token?: string;
}

export interface SdkClientResult {
  spans: {
    traceId: string;
    spanId: string;
    parentSpanId: string;
    name: string;
    service: string;
  }[];
  secrets: string[];
}

// eslint-disable-next-line no-restricted-syntax -- test-only helper, run from source by Jest and never built: it spawns the SDK client script kept in this package's testing/ directory
const CLIENT = resolve(__dirname, '../../testing/sdk-client.js');

/** Runs the real OpenTelemetry SDK client in its own Node process and returns what it finished. */
export function runSdkClient(
  options: SdkClientOptions,
): Promise<SdkClientResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [CLIENT, JSON.stringify(options)],
      { maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`sdk client failed: ${error.message}\n${stderr}`));
        else resolvePromise(JSON.parse(stdout));
      },
    );
  });
}
