/**
 * Preloaded into `wfad serve` by bench/soak (`node --require … --expose-gc`): answers the parent's
 * IPC "mem" messages with process.memoryUsage(), after a full GC when asked ("mem-gc"). It adds
 * nothing to the server itself and does not keep the process alive.
 */
interface ProbeRequest {
  probe: 'mem' | 'mem-gc';
  seq: number;
}

if (typeof process.send === 'function') {
  process.on('message', (m: ProbeRequest) => {
    if (!m || (m.probe !== 'mem' && m.probe !== 'mem-gc')) return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (m.probe === 'mem-gc' && gc) gc();
    process.send?.({ probe: 'mem', seq: m.seq, memory: process.memoryUsage() });
  });
  process.channel?.unref();
}
