/**
 * Cycles in a DAG given as [parent, child] index pairs: one check shared by the template files, the
 * readers and the run check, so every source names a cycle the same way.
 */

/** A cycle as node indices (first node repeated at the end), or null for a DAG. Iterative DFS. */
export function findCycle(n: number, edges: ReadonlyArray<readonly [number, number]>): number[] | null {
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [p, c] of edges) out[p]?.push(c);
  const color = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const parent = new Int32Array(n).fill(-1);
  for (let s = 0; s < n; s++) {
    if (color[s] !== 0) continue;
    const stack: Array<[number, number]> = [[s, 0]];
    color[s] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1] as [number, number];
      const [v, k] = top;
      const next = (out[v] as number[])[k];
      if (next === undefined) {
        color[v] = 2;
        stack.pop();
        continue;
      }
      top[1] = k + 1;
      if (color[next] === 1) {
        const cyc = [next];
        for (let u = v; u !== next; u = parent[u] as number) cyc.push(u);
        cyc.push(next);
        return cyc.reverse();
      }
      if (color[next] === 0) {
        color[next] = 1;
        parent[next] = v;
        stack.push([next, 0]);
      }
    }
  }
  return null;
}

/** A cycle's job names for a message: the whole loop, or its first ten and last job when long. */
export function cycleText(names: readonly string[]): string {
  const shown = names.length <= 12 ? names : [...names.slice(0, 10), `… (${names.length - 1} jobs in all)`, names[names.length - 1] as string];
  return shown.join(' → ');
}
