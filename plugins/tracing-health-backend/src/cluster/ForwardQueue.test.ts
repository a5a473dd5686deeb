import {
  ExportTraceServiceRequestCodec,
  ForwardOutcome,
} from '@internal/tracing-pipeline';
import { randomBytes } from 'node:crypto';
import {
  ForwardQueue,
  ForwardQueueSettings,
  SendResult,
  Timers,
} from './ForwardQueue';

/** Lets every promise that can settle now settle. */
const settled = () => new Promise(resolve => setImmediate(resolve));

/** Time that moves only when the test says so; due timers fire in order. */
class ManualTimers implements Timers {
  private time = 1_000_000;
  private nextId = 0;
  private timers: { id: number; at: number; fn: () => void }[] = [];

  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter(t => t.id !== id);
  };

  async advance(ms: number) {
    // What the test just answered may set timers first.
    await settled();
    const end = this.time + ms;
    for (;;) {
      const due = this.timers
        .filter(t => t.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter(t => t !== due);
      this.time = due.at;
      due.fn();
      await settled();
    }
    this.time = end;
    await settled();
  }
}

/** A one-span OTLP protobuf request of `service`, `bytes` long at least. */
function share(service: string, padding = 0): Uint8Array {
  return ExportTraceServiceRequestCodec.encode(
    ExportTraceServiceRequestCodec.fromObject({
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
                  traceId: randomBytes(16),
                  spanId: randomBytes(8),
                  name: 'x'.repeat(padding),
                },
              ],
            },
          ],
        },
      ],
    }),
  ).finish();
}

const SETTINGS: ForwardQueueSettings = {
  lingerMs: 5,
  maxBatchSpans: 100,
  maxBatchBytes: 1 << 20,
  maxQueueBytes: 1 << 22,
  concurrency: 2,
  deadlineMs: 1000,
};

function setUp(settings: Partial<ForwardQueueSettings> = {}) {
  const timers = new ManualTimers();
  const sends: {
    body: Uint8Array;
    spans: number;
    timeoutMs: number;
    answer(result: SendResult): void;
  }[] = [];
  const events: string[] = [];
  const queue = new ForwardQueue(
    { ...SETTINGS, ...settings },
    {
      send: (body, spans, timeoutMs) =>
        new Promise<SendResult>(answer =>
          sends.push({ body, spans, timeoutMs, answer }),
        ),
      delivered: spans => events.push(`delivered ${spans}`),
      retried: reason => events.push(`retried ${reason}`),
      failed: (reason, spans) => events.push(`failed ${reason} ${spans}`),
    },
    timers,
    () => 0.5,
  );
  const outcomes: ForwardOutcome[] = [];
  /** A share's outcome: refused at the door, or what became of it once queued. */
  const enqueue = (body: Uint8Array, spans = 1) => {
    const enqueued = queue.enqueue(body, spans);
    return (
      enqueued.queued
        ? enqueued.outcome
        : Promise.resolve<ForwardOutcome>({
            ok: false,
            reason: enqueued.reason,
          })
    ).then(o => {
      outcomes.push(o);
      return o;
    });
  };
  return { timers, sends, events, queue, outcomes, enqueue };
}

const services = (body: Uint8Array) =>
  (ExportTraceServiceRequestCodec.decode(body).resourceSpans ?? []).map(
    rs => rs.resource?.attributes?.[0].value?.stringValue,
  );

describe('ForwardQueue', () => {
  it('coalesces the shares of the requests of one linger into one forward', async () => {
    const { timers, sends, events, enqueue, outcomes } = setUp();
    const shares = [share('a'), share('b'), share('c')];
    const done = [enqueue(shares[0], 1), enqueue(shares[1], 2)];
    await timers.advance(4);
    done.push(enqueue(shares[2], 3));
    await settled();
    expect(sends).toHaveLength(0);

    await timers.advance(1);
    expect(sends).toHaveLength(1);
    expect(sends[0].spans).toBe(6);
    expect(Buffer.from(sends[0].body)).toEqual(Buffer.concat(shares));
    expect(services(sends[0].body)).toEqual(['a', 'b', 'c']);
    // The deadline counts from the first share's arrival.
    expect(sends[0].timeoutMs).toBe(995);
    expect(outcomes).toEqual([]);

    sends[0].answer({ ok: true });
    await Promise.all(done);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(events).toEqual(['delivered 6']);
  });

  it('sends a batch as soon as it is full (spans or bytes), without waiting for the linger', async () => {
    const { sends, enqueue } = setUp({
      maxBatchSpans: 10,
      lingerMs: 60_000,
      concurrency: 4,
    });
    void enqueue(share('x'), 1);
    void enqueue(share('a'), 4);
    void enqueue(share('b'), 4);
    await settled();
    expect(sends).toHaveLength(0);
    // 9 + 4 would be too many: the first three go, the fourth opens the next batch.
    void enqueue(share('c'), 4);
    await settled();
    expect(sends.map(s => [s.spans, services(s.body)])).toEqual([
      [9, ['x', 'a', 'b']],
    ]);
    void enqueue(share('d'), 6);
    await settled();
    expect(sends.map(s => s.spans)).toEqual([9, 10]);

    const bytes = setUp({ maxBatchBytes: 300, lingerMs: 60_000 });
    void bytes.enqueue(share('e', 200));
    await settled();
    expect(bytes.sends).toHaveLength(0);
    void bytes.enqueue(share('f', 200));
    await settled();
    expect(bytes.sends.map(s => services(s.body))).toEqual([['e']]);
  });

  it('keeps a batch growing while every slot is busy, then sends it whole', async () => {
    const { timers, sends, enqueue } = setUp({ concurrency: 1 });
    void enqueue(share('a'));
    await timers.advance(5);
    expect(sends).toHaveLength(1);
    void enqueue(share('b'));
    void enqueue(share('c'));
    await timers.advance(50);
    void enqueue(share('d'));
    await timers.advance(50);
    expect(sends).toHaveLength(1);

    sends[0].answer({ ok: true });
    await settled();
    expect(sends.map(s => services(s.body))).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('refuses a share that would take the queue past its byte bound, and takes shares again once it drained', async () => {
    const a = share('a', 100);
    const { timers, sends, events, enqueue, queue } = setUp({
      maxQueueBytes: a.byteLength + 50,
    });
    const first = enqueue(a, 3);
    expect(await enqueue(share('b', 100), 7)).toEqual({
      ok: false,
      reason: 'queue_full',
    });
    expect(events).toEqual(['failed queue_full 7']);
    expect(queue.queuedBytes()).toBe(a.byteLength);
    expect(queue.queuedSpans()).toBe(3);

    await timers.advance(5);
    sends[0].answer({ ok: true });
    expect(await first).toEqual({ ok: true });
    expect(queue.queuedBytes()).toBe(0);
    expect(queue.queuedSpans()).toBe(0);
    // An empty queue takes one share even beyond the bound (it could never be forwarded else).
    const big = enqueue(share('c', 500), 1);
    await timers.advance(5);
    expect(sends).toHaveLength(2);
    sends[1].answer({ ok: true });
    expect(await big).toEqual({ ok: true });
  });

  it('retries a refused forward after a backoff and delivers it', async () => {
    const { timers, sends, events, enqueue } = setUp();
    const body = share('a');
    const outcome = enqueue(body, 2);
    await timers.advance(5);
    sends[0].answer({ ok: false, reason: 'refused', retryable: true });
    await settled();
    expect(events).toEqual(['retried refused']);
    // 50 ms, times the jitter (0.5 + 0.5).
    await timers.advance(49);
    expect(sends).toHaveLength(1);
    await timers.advance(1);
    expect(sends).toHaveLength(2);
    expect(sends[1].body).toBe(sends[0].body);
    expect(sends[1].timeoutMs).toBe(945);
    sends[1].answer({ ok: true });
    expect(await outcome).toEqual({ ok: true });
    expect(events).toEqual(['retried refused', 'delivered 2']);
  });

  it('gives up at the deadline with the last reason, and at once on a failure retrying cannot fix', async () => {
    const { timers, sends, events, enqueue } = setUp();
    const outcome = enqueue(share('a'), 4);
    await timers.advance(5);
    // Backoffs of 50, 100, 200 and 400 ms fit in the 1 s deadline; the next (800 ms) does not.
    for (let i = 0; i < 5; i++) {
      expect(sends).toHaveLength(i + 1);
      sends[i].answer({ ok: false, reason: 'unreachable', retryable: true });
      await timers.advance(50 * 2 ** i);
    }
    expect(await outcome).toEqual({ ok: false, reason: 'unreachable' });
    expect(sends).toHaveLength(5);
    expect(events.filter(e => e.startsWith('failed'))).toEqual([
      'failed unreachable 4',
    ]);
    expect(events.filter(e => e.startsWith('retried'))).toHaveLength(4);

    const other = setUp();
    const rejected = other.enqueue(share('b'), 1);
    await other.timers.advance(5);
    other.sends[0].answer({ ok: false, reason: 'rejected', retryable: false });
    expect(await rejected).toEqual({ ok: false, reason: 'rejected' });
    // A Retry-After beyond the deadline: decided here now rather than after the wait.
    const late = other.enqueue(share('c'), 1);
    await other.timers.advance(5);
    other.sends[1].answer({
      ok: false,
      reason: 'refused',
      retryable: true,
      retryAfterMs: 5000,
    });
    expect(await late).toEqual({ ok: false, reason: 'refused' });
    expect(other.events).toEqual(['failed rejected 1', 'failed refused 1']);
  });

  it('fails a batch whose time ran out while it waited for a slot', async () => {
    const { timers, sends, enqueue } = setUp({ concurrency: 1 });
    void enqueue(share('a'));
    await timers.advance(5);
    const waiting = enqueue(share('b'));
    await timers.advance(2000);
    sends[0].answer({ ok: true });
    expect(await waiting).toEqual({ ok: false, reason: 'timeout' });
    expect(sends).toHaveLength(1);
  });

  it('flushes on shutdown: sends what lingers at once and resolves once every share has its answer', async () => {
    const { sends, enqueue, queue, outcomes } = setUp({
      lingerMs: 60_000,
      concurrency: 4,
    });
    void enqueue(share('a'));
    void enqueue(share('b'));
    await settled();
    expect(sends).toHaveLength(0);
    let flushed = false;
    const flush = queue.flush().then(() => {
      flushed = true;
    });
    await settled();
    expect(sends.map(s => services(s.body))).toEqual([['a', 'b']]);
    // Shares that arrive during the shutdown do not linger either.
    void enqueue(share('c'));
    await settled();
    expect(sends).toHaveLength(2);
    sends[0].answer({ ok: true });
    await settled();
    expect(flushed).toBe(false);
    sends[1].answer({ ok: false, reason: 'rejected', retryable: false });
    await flush;
    expect(outcomes).toEqual([
      { ok: true },
      { ok: true },
      { ok: false, reason: 'rejected' },
    ]);
    await expect(queue.flush()).resolves.toBeUndefined();
  });
});
