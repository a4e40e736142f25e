/**
 * A minimal discrete-event core: callbacks ordered by (time, insertion order), so simultaneous
 * events run in the order they were scheduled and a seeded simulation is exactly repeatable.
 */
interface Event {
  time: number;
  seq: number;
  fn: (time: number) => void;
}

export class EventQueue {
  private heap: Event[] = [];
  private seq = 0;
  now = 0;

  at(time: number, fn: (time: number) => void): void {
    if (time < this.now) throw new Error(`event scheduled in the past (${time} < ${this.now})`);
    this.heap.push({ time, seq: this.seq++, fn });
    this.up(this.heap.length - 1);
  }

  /** Runs events until none is left. */
  run(): void {
    while (this.heap.length) {
      const e = this.pop();
      this.now = e.time;
      e.fn(e.time);
    }
  }

  private less(a: Event, b: Event): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0] as Event;
    const last = h.pop() as Event;
    if (h.length) {
      h[0] = last;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i] as Event, h[p] as Event)) break;
      [h[i], h[p]] = [h[p] as Event, h[i] as Event];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l] as Event, h[m] as Event)) m = l;
      if (r < h.length && this.less(h[r] as Event, h[m] as Event)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as Event, h[i] as Event];
      i = m;
    }
  }
}
