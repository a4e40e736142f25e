/** CLI output: human text by default, one JSON document with --json; progress on a terminal. */
import { SingleBar, Presets } from 'cli-progress';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Left-aligned first column, right-aligned numbers. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(fmt)].join('\n');
}

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal; otherwise (CI, pipes, --json) a line every
 * 10% so logs still show that work advances.
 */
export function progress(label: string, quiet: boolean): Progress {
  if (process.stderr.isTTY && !quiet) {
    const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr }, Presets.shades_classic);
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.setTotal(total);
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let lastDecile = -1;
  return {
    update(done, total) {
      const decile = total ? Math.floor((10 * done) / total) : 10;
      if (decile > lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${label}: ${done}/${total}\n`);
      }
    },
    stop: () => undefined,
  };
}
