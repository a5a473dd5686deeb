import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface PersistedBatch {
  file: string;
  spans: number;
}

const SUFFIX = '.otlp.pb.gz';
const NAME = /^(\d+)-(\d+)-(\d+)\.otlp\.pb\.gz$/;

/**
 * An exporter's queue on disk: one file per batch (the gzipped protobuf request exactly as it will
 * be sent), fsynced before the batch counts as queued, removed once it is exported or given up,
 * and listed in arrival order on start so a restart resumes where the last run stopped.
 */
export class PersistentQueue {
  private seq = 0;

  constructor(readonly dir: string) {}

  /** Creates the directory, clears half-written files and lists what a previous run left. */
  async open(): Promise<PersistedBatch[]> {
    await mkdir(this.dir, { recursive: true });
    const names = await readdir(this.dir);
    const batches: { file: string; spans: number; order: [number, number] }[] =
      [];
    for (const name of names) {
      if (name.endsWith('.tmp')) {
        await rm(join(this.dir, name), { force: true });
        continue;
      }
      const m = NAME.exec(name);
      if (!m) continue;
      batches.push({
        file: join(this.dir, name),
        spans: Number(m[3]),
        order: [Number(m[1]), Number(m[2])],
      });
      this.seq = Math.max(this.seq, Number(m[2]) + 1);
    }
    batches.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
    return batches.map(({ file, spans }) => ({ file, spans }));
  }

  /** Writes a batch durably; resolves with its file once it is on disk. */
  async write(body: Uint8Array, spans: number): Promise<string> {
    const name = `${Date.now()}-${this.seq++}-${spans}${SUFFIX}`;
    const file = join(this.dir, name);
    const tmp = `${file}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    await this.syncDir();
    return file;
  }

  read(file: string): Promise<Buffer> {
    return readFile(file);
  }

  async remove(file: string): Promise<void> {
    await rm(file, { force: true });
  }

  private async syncDir(): Promise<void> {
    try {
      const dir = await open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      // Directories cannot be fsynced on every platform; the rename is still atomic.
    }
  }
}
