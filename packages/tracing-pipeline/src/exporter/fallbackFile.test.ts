import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FallbackFile, FallbackFullError } from './fallbackFile';
import { encodeRequest, makeRequest } from '../testing/fixtures';

const batch = (spans: number) =>
  gzipSync(encodeRequest(makeRequest({ svc: spans })));

async function lines(path: string) {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map(line => JSON.parse(line).resourceSpans[0].scopeSpans[0].spans.length);
}

describe('FallbackFile', () => {
  let dir: string;
  let path: string;
  let lineBytes: number;
  beforeAll(async () => {
    const probe = await mkdtemp(join(tmpdir(), 'th-fallback-probe-'));
    const file = new FallbackFile(join(probe, 'f.jsonl'));
    await file.write(batch(1));
    await file.close();
    lineBytes = (await readFile(join(probe, 'f.jsonl'))).length;
    await rm(probe, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'th-fallback-'));
    path = join(dir, 'fallback.jsonl');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('appends one OTLP JSON line per batch', async () => {
    const file = new FallbackFile(path);
    await file.write(batch(2));
    await file.write(batch(3));
    await file.close();
    expect(await lines(path)).toEqual([2, 3]);
  });

  it('renames a full file to .1 and starts a new one', async () => {
    const file = new FallbackFile(path, 2 * lineBytes);
    for (let i = 0; i < 3; i++) await file.write(batch(1));
    await file.close();
    expect(await lines(`${path}.1`)).toEqual([1, 1]);
    expect(await lines(path)).toEqual([1]);
  });

  it('refuses, overwriting nothing, when the file and its .1 are both full', async () => {
    const file = new FallbackFile(path, 2 * lineBytes);
    for (let i = 0; i < 4; i++) await file.write(batch(1));
    await expect(file.write(batch(1))).rejects.toBeInstanceOf(
      FallbackFullError,
    );
    await file.close();
    expect(await lines(`${path}.1`)).toEqual([1, 1]);
    expect(await lines(path)).toEqual([1, 1]);
  });

  it('resumes its size count across a restart', async () => {
    const before = new FallbackFile(path);
    await before.write(batch(1));
    await before.close();
    const file = new FallbackFile(path, 2 * lineBytes);
    await file.write(batch(1));
    await file.write(batch(1));
    await file.close();
    expect(await lines(`${path}.1`)).toEqual([1, 1]);
    expect(await lines(path)).toEqual([1]);
  });

  it('cuts off a line torn by a crash before appending', async () => {
    const first = new FallbackFile(path);
    await first.write(batch(2));
    await first.close();
    const whole = await readFile(path, 'utf8');
    await writeFile(path, `${whole}{"resourceSpans":[{"resou`);
    const file = new FallbackFile(path);
    await file.write(batch(3));
    await file.close();
    expect(await lines(path)).toEqual([2, 3]);
  });

  it('cuts off a file that is one torn line', async () => {
    await writeFile(path, '{"resourceSpans":[');
    const file = new FallbackFile(path);
    await file.write(batch(1));
    await file.close();
    expect(await lines(path)).toEqual([1]);
  });
});
