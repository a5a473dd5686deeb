import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../scripts/generate-otlp-codec.js');

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
});
