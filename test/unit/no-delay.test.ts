/**
 * Client sockets opened after a Graph is opened send without Nagle's delay: the Bolt driver never
 * sets TCP_NODELAY itself, and a query message over 1,400 bytes then waited 40 ms for the
 * server's delayed ACK.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { openGraph } from '../../src/graph/driver';

describe('Neo4j connections', () => {
  it('sockets opened by net.connect (as the Bolt driver opens them) get setNoDelay(true)', async () => {
    const server = net.createServer((s) => s.end()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    const calls: unknown[] = [];
    const original = net.Socket.prototype.setNoDelay;
    net.Socket.prototype.setNoDelay = function (this: net.Socket, noDelay?: boolean) {
      calls.push(noDelay);
      return original.call(this, noDelay);
    };
    const graph = openGraph({ uri: `bolt://127.0.0.1:${port}`, user: 'neo4j', password: '', database: 'neo4j' });
    try {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('close', r));
      assert.deepEqual(calls, [true]);
    } finally {
      net.Socket.prototype.setNoDelay = original;
      await graph.close();
      server.close();
    }
  });
});
