import { FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { stringifyExportRequestJson } from './otlpJson';
import { decodeExportRequest } from './wire';

const gunzipAsync = promisify(gunzip);

/**
 * Appends batches an exporter could not deliver to a file, one OTLP/JSON
 * `ExportTraceServiceRequest` per line (readable by the Collector's otlpjsonfile receiver).
 * Writes are serialized and synced.
 */
export class FallbackFile {
  private handle?: Promise<FileHandle>;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Appends one batch given as the gzipped protobuf request the exporter would have sent. */
  write(gzippedRequest: Uint8Array): Promise<void> {
    const result = this.tail.then(async () => {
      const resourceSpans = decodeExportRequest(
        await gunzipAsync(gzippedRequest),
      );
      const handle = await this.file();
      await handle.appendFile(`${stringifyExportRequestJson(resourceSpans)}\n`);
      await handle.datasync();
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.tail;
    if (!this.handle) return;
    const handle = this.handle;
    this.handle = undefined;
    await (await handle).close();
  }

  private file(): Promise<FileHandle> {
    this.handle ??= mkdir(dirname(this.path), { recursive: true })
      .then(() => open(this.path, 'a'))
      .catch(e => {
        this.handle = undefined;
        throw e;
      });
    return this.handle;
  }
}
