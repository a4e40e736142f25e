/**
 * The staging link as a fluid model: concurrent transfers share its bandwidth max-min fairly, each
 * also capped by its node's disk (shared by that node's transfers) and by TCP under packet loss.
 * Rates are recomputed whenever a transfer starts or ends, so a transfer's time depends on what
 * else moves at the same time (20 `individuals` staging 1 GB each take ~8× longer than one).
 */
import type { EventQueue } from './events';

interface Flow {
  id: number;
  remaining: number;
  rate: number;
  diskNode: number;
  lossCap: number;
  done: (t: number) => void;
}

export class SharedLink {
  private flows: Flow[] = [];
  private last = 0;
  private version = 0;
  private nextId = 0;

  constructor(
    private readonly q: EventQueue,
    private readonly capacity: number,
    /** Disk bytes/s available for staging on a node (already slowed by disk contention). */
    private readonly diskRate: (node: number) => number,
  ) {}

  /** Moves `bytes` to/from `diskNode`; `done` is called at the time the last byte arrives. */
  send(bytes: number, diskNode: number, lossCap: number, done: (t: number) => void): void {
    const t = this.q.now;
    if (bytes <= 0) {
      this.q.at(t, done);
      return;
    }
    this.advance(t);
    this.flows.push({ id: this.nextId++, remaining: bytes, rate: 0, diskNode, lossCap, done });
    this.reallocate(t);
  }

  private advance(t: number): void {
    const dt = t - this.last;
    if (dt > 0) for (const f of this.flows) f.remaining -= f.rate * dt;
    this.last = t;
  }

  /** Max-min fair rates under per-flow caps (water-filling in ascending cap order). */
  private reallocate(t: number): void {
    const perNode = new Map<number, number>();
    for (const f of this.flows) perNode.set(f.diskNode, (perNode.get(f.diskNode) ?? 0) + 1);
    const caps = this.flows.map((f) => Math.min(this.diskRate(f.diskNode) / (perNode.get(f.diskNode) as number), f.lossCap));
    const order = this.flows.map((_, i) => i).sort((a, b) => (caps[a] as number) - (caps[b] as number) || a - b);
    let left = this.capacity;
    let n = this.flows.length;
    for (const i of order) {
      const rate = Math.min(caps[i] as number, left / n);
      (this.flows[i] as Flow).rate = rate;
      left -= rate;
      n--;
    }
    let first: Flow | null = null;
    let dtMin = Infinity;
    for (const f of this.flows) {
      const dt = Math.max(0, f.remaining) / f.rate;
      if (dt < dtMin) {
        dtMin = dt;
        first = f;
      }
    }
    const v = ++this.version;
    if (first) {
      const id = first.id;
      this.q.at(t + dtMin, (tt) => v === this.version && this.complete(tt, id));
    }
  }

  private complete(t: number, finishing: number): void {
    this.advance(t);
    // The flow the event was set for ends now, with any that end within a microsecond of it.
    const ended = this.flows.filter((f) => f.id === finishing || f.remaining <= f.rate * 1e-6);
    this.flows = this.flows.filter((f) => !ended.includes(f));
    this.reallocate(t);
    for (const f of ended) f.done(t);
  }
}
