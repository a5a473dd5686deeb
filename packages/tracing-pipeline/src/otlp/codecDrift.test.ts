import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportTraceServiceRequestCodec, SpanCodec } from '../otlpRoot';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../../scripts/generate-otlp-codec.js');

describe('the committed OTLP codec', () => {
  let outDir: string;
  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'otlp-codec-'));
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('is what scripts/generate-otlp-codec.js makes from protos/ (run it after changing either)', async () => {
    const { jsFile, dtsFile } = await generator.generateOtlpCodec(outDir);
    for (const [fresh, committed] of [
      [jsFile, join(generator.DEFAULT_OUT_DIR, 'otlp.js')],
      [dtsFile, join(generator.DEFAULT_OUT_DIR, 'otlp.d.ts')],
    ]) {
      expect(readFileSync(committed, 'utf8')).toBe(readFileSync(fresh, 'utf8'));
    }
  }, 60_000);

  it('carries the span fields of opentelemetry-proto 1.x (flags) through a round trip', () => {
    const span = {
      traceId: new Uint8Array(16).fill(1),
      spanId: new Uint8Array(8).fill(2),
      name: 'GET /',
      flags: 0x301,
      links: [
        {
          traceId: new Uint8Array(16).fill(3),
          spanId: new Uint8Array(8).fill(4),
          flags: 0x100,
        },
      ],
    };
    const decoded = SpanCodec.decode(SpanCodec.encode(span).finish());
    expect(decoded.flags).toBe(0x301);
    expect(decoded.links?.[0].flags).toBe(0x100);
    const request = ExportTraceServiceRequestCodec.decode(
      ExportTraceServiceRequestCodec.encode({
        resourceSpans: [
          {
            schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
            scopeSpans: [{ spans: [span] }],
          },
        ],
      }).finish(),
    );
    expect(request.resourceSpans?.[0].schemaUrl).toBe(
      'https://opentelemetry.io/schemas/1.30.0',
    );
    expect(request.resourceSpans?.[0].scopeSpans?.[0].spans?.[0].name).toBe(
      'GET /',
    );
  });
});
