// What the ingest benchmarks start: a child process that prints "listening on URL" (serve, the
// durable floor), and the bare node:http baseline they compare the receiver against.
import { spawn } from 'node:child_process';

const BIN = new URL('../dist/cli/bin.js', import.meta.url).pathname;
export const FLOOR = new URL('./floor-server.mjs', import.meta.url).pathname;

/** `command` (node by default) with `args`, resolved with its URL once it prints "listening on URL". */
export function startChild(args, env, command = process.execPath) {
  const proc = spawn(command, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (c) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.on('exit', (code) => reject(new Error(`child exited ${code}: ${out}${err}`)));
  });
}

/** The arguments of agenthooks serve as the ingest benchmarks load it: 127.0.0.1, verifying,
 * durable acks, no worker; `bin` is another build's dist/cli/bin.js to compare with. */
export function serveArgs(database, secret, bin = BIN) {
  return [
    bin,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--database',
    database,
    '--signing-key',
    secret,
    '--no-worker',
  ];
}

export function startServe(database, secret) {
  return startChild(serveArgs(database, secret), { AGENTHOOKS_LOG_LEVEL: 'warn' });
}

/** The durable floor (bench/floor-server.mjs), with its options (--ledger, --drop). */
export function startFloor(database, secret, ...options) {
  return startChild([FLOOR, database, secret, ...options], {});
}

export const BARE = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const text = JSON.stringify({ id: req.headers['webhook-id'] ?? null, duplicate: false, bytes: body.length });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
`;
