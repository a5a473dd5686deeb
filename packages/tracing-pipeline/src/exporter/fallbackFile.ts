import { FileHandle, mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { stringifyExportRequestJson } from '../otlp/otlpJson';
import { decodeExportRequest } from '../otlp/wire';

const gunzipAsync = promisify(gunzip);

/** Both the fallback file and its `.1` generation are full: the batch was not written. */
export class FallbackFullError extends Error {
  constructor(path: string, maxBytes: number) {
    super(
      `fallback file ${path} and ${path}.1 are full (${maxBytes} bytes each); move ${path}.1 away to make room`,
    );
  }
}

const TAIL_READ = 64 * 1024;

/**
 * Appends batches an exporter could not deliver to a file, one OTLP/JSON
 * `ExportTraceServiceRequest` per line (readable by the Collector's otlpjsonfile receiver).
 * Writes are serialized and synced: a batch counts as delivered once its line is on disk.
 *
 * The file holds at most `maxBytes`: when the next line would not fit it is renamed to
 * `<path>.1` and a new file begins, unless `<path>.1` still exists (nobody collected it), in
 * which case the write fails with FallbackFullError and nothing is overwritten. A line torn by a
 * crash mid-append is cut off when the file is next opened, so every line stays whole.
 */
export class FallbackFile {
  private handle?: Promise<{ handle: FileHandle; size: number }>;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string, readonly maxBytes = Infinity) {}

  /** Appends one batch given as the gzipped protobuf request the exporter would have sent. */
  write(gzippedRequest: Uint8Array): Promise<void> {
    const result = this.tail.then(async () => {
      const resourceSpans = decodeExportRequest(
        await gunzipAsync(gzippedRequest),
      );
      const line = Buffer.from(
        `${stringifyExportRequestJson(resourceSpans)}\n`,
      );
      if (line.length > this.maxBytes)
        throw new FallbackFullError(this.path, this.maxBytes);
      let file = await this.file();
      if (file.size + line.length > this.maxBytes) {
        await this.rotate();
        file = await this.file();
      }
      await file.handle.write(line, 0, line.length, file.size);
      await file.handle.datasync();
      file.size += line.length;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.closeHandle();
  }

  private async closeHandle(): Promise<void> {
    if (!this.handle) return;
    const opened = this.handle;
    this.handle = undefined;
    await (await opened).handle.close();
  }

  private async rotate(): Promise<void> {
    const previous = `${this.path}.1`;
    if (await exists(previous))
      throw new FallbackFullError(this.path, this.maxBytes);
    await this.closeHandle();
    await rename(this.path, previous);
  }

  private file(): Promise<{ handle: FileHandle; size: number }> {
    this.handle ??= openCuttingTornLine(this.path).catch(e => {
      this.handle = undefined;
      throw e;
    });
    return this.handle;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Opens for writing at the end, first truncating a last line that lacks its newline. */
async function openCuttingTornLine(
  path: string,
): Promise<{ handle: FileHandle; size: number }> {
  await mkdir(dirname(path), { recursive: true });
  // 'a+' would ignore write positions on Linux; 'r+' after creating keeps them.
  await (await open(path, 'a')).close();
  const handle = await open(path, 'r+');
  try {
    let size = (await handle.stat()).size;
    let end = size;
    // Look back for the last newline; whatever follows it is a torn line.
    while (end > 0) {
      const start = Math.max(0, end - TAIL_READ);
      const chunk = Buffer.alloc(end - start);
      await handle.read(chunk, 0, chunk.length, start);
      const newline = chunk.lastIndexOf(0x0a);
      if (newline >= 0) {
        end = start + newline + 1;
        break;
      }
      end = start;
    }
    if (end !== size) {
      await handle.truncate(end);
      await handle.datasync();
      size = end;
    }
    return { handle, size };
  } catch (e) {
    await handle.close();
    throw e;
  }
}
