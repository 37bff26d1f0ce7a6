// sendEvent, how every server-sent event stream writes: a client that stops reading is cut off
// once it is more than the limit behind, instead of holding every later event in memory; one that
// reads gets every frame.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendEvent } from '../../src/http/event-stream.js';

const FRAME = `data: ${'x'.repeat(64 * 1024)}\n\n`;
const LIMIT = 256 * 1024;
let server: Server | null = null;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A server whose one response writes `frames` frames (one per turn) and reports what happened. */
function streamServer(
  frames: number,
): Promise<{ port: number; result: Promise<{ sent: number; cut: boolean }> }> {
  let report: (r: { sent: number; cut: boolean }) => void = () => {};
  const result = new Promise<{ sent: number; cut: boolean }>((resolve) => {
    report = resolve;
  });
  const s = createServer((_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    const next = () => {
      if (sent === frames) {
        res.end();
        report({ sent, cut: false });
      } else if (!sendEvent(res, FRAME, LIMIT)) report({ sent, cut: true });
      else {
        sent += 1;
        setImmediate(next);
      }
    };
    next();
  });
  server = s;
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve({ port: (s.address() as AddressInfo).port, result })),
  );
}

describe('sendEvent', () => {
  it('cuts off a client that stops reading once it is more than the limit behind', async () => {
    // 1,600 frames are 100 MiB: far more than the connection's kernel buffers hold.
    const { port, result } = await streamServer(1600);
    const socket = connect(port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    socket.pause();
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const r = await result;
    expect(r.cut).toBe(true);
    expect(r.sent).toBeLessThan(1600);
    socket.resume();
    await closed;
  });

  it('sends every frame to a client that reads', async () => {
    const { port, result } = await streamServer(200);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    const body = await res.text();
    expect(await result).toEqual({ sent: 200, cut: false });
    expect(body.length).toBe(200 * FRAME.length);
  });
});
