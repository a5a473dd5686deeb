/**
 * Bounds the requests being read and decoded at once: each holds a slot from the first body
 * byte to the pipeline's answer; others wait in a bounded queue for a limited time.
 */
export class DecodeSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly max: number,
    private readonly maxQueued: number,
    private readonly timeoutMs: number,
  ) {}

  /** 'now' or 'waited' with a slot (release it later), or 'busy' without one. */
  acquire(): 'now' | Promise<'waited' | 'busy'> | 'busy' {
    if (this.active < this.max) {
      this.active++;
      return 'now';
    }
    if (this.waiting.length >= this.maxQueued) return 'busy';
    return new Promise(resolve => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const grant = () => {
        clearTimeout(timer);
        resolve('waited');
      };
      timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve('busy');
      }, this.timeoutMs);
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes to the next waiter as is.
    if (next) next();
    else this.active--;
  }
}
