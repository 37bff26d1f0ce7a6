// The durable floor: the least a verifying, durable webhook receiver can do on this stack, as the
// reference `bench:ingest` compares `agenthooks serve` with. node:http; a node:crypto HMAC over the
// Standard Webhooks content (`${id}.${timestamp}.${body}`); JSON.parse; then group commit on a
// worker thread into a SQLite table with a single primary-key index (WAL, synchronous=FULL), and
// 200 {"id","duplicate"} once the batch holding the event is committed.
// With --ledger the same floor writes agenthooks' own event ledger instead (its SQLite migrations,
// serve's eventRows packing and the writer's insertEvents), and --drop NAMES,... drops some of
// its indexes: bench/ingest-split.mjs uses these to tell the main thread's share of the gap to
// serve from the ledger's.
// Usage: node bench/floor-server.mjs <database file> <whsec_ secret> [--ledger [--drop events_received,...]]
//        (prints "listening on URL")
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

if (isMainThread) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { ledger: { type: 'boolean', default: false }, drop: { type: 'string', default: '' } },
  });
  const [file, secret] = positionals;
  const ledger = values.ledger;
  // The ledger takes the rows exactly as serve packs them for its writer thread.
  const { eventRows } = ledger ? await import('../dist/store/sqlite/protocol.js') : {};
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const writer = new Worker(new URL(import.meta.url), {
    workerData: { file, ledger, drop: values.drop.split(',').filter(Boolean) },
  });
  /** Requests waiting for the next batch, and the batch being committed. */
  let queued = [];
  let inFlight = null;
  const flush = () => {
    if (inFlight || queued.length === 0) return;
    inFlight = queued;
    queued = [];
    writer.postMessage(
      ledger ? eventRows(inFlight.map((q) => q.event)) : inFlight.map((q) => [q.id, q.body]),
    );
  };
  writer.on('message', (duplicates) => {
    const done = inFlight;
    inFlight = null;
    for (const [i, q] of done.entries()) q.answer(200, { id: q.id, duplicate: duplicates[i] });
    flush();
  });

  const server = http.createServer((req, res) => {
    const answer = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      const ts = req.headers['webhook-timestamp'];
      const sigs = req.headers['webhook-signature'];
      const body = Buffer.concat(chunks).toString('utf8');
      if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') {
        return answer(401, { error: 'missing_headers' });
      }
      const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
      const ok = sigs.split(' ').some((s) => {
        if (!s.startsWith('v1,')) return false;
        const got = Buffer.from(s.slice(3), 'base64');
        return got.length === expected.length && timingSafeEqual(got, expected);
      });
      if (!ok) return answer(401, { error: 'invalid_signature' });
      let event;
      try {
        event = JSON.parse(body);
      } catch {
        return answer(400, { error: 'invalid_json' });
      }
      // The event as serve's parseEvent makes it (a NewEvent), for the ledger.
      const stored = ledger
        ? {
            id,
            type: event.data?.type,
            createdAt: Date.parse(event.created_at),
            receivedAt: Date.now(),
            subjectId: event.data?.id,
            threadId: null,
            raw: body,
            state: 'pending',
          }
        : null;
      queued.push({ id, body, event: stored, answer });
      flush();
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
} else {
  const db = new Database(workerData.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // The same checkpoint interval as serve's writer (src/store/sqlite/thread.ts), so the ratio
  // compares the receivers and not a setting either one could take.
  db.pragma('wal_autocheckpoint = 4000');
  if (workerData.ledger) {
    const { migrate, readMigrations, SQLITE_MIGRATIONS } = await import('../dist/store/sqlite/migrate.js');
    const { insertEvents } = await import('../dist/store/sqlite/events.js');
    migrate(db, readMigrations(SQLITE_MIGRATIONS), Date.now());
    for (const name of workerData.drop) {
      if (!/^\w+$/.test(name)) throw new Error(`--drop: not an index name: ${name}`);
      db.exec(`DROP INDEX ${name}`);
    }
    parentPort.on('message', (rows) => parentPort.postMessage(insertEvents(db, rows)));
  } else {
    db.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, raw TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO events (id, raw) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
    const commit = db.transaction((rows) => rows.map(([id, raw]) => insert.run(id, raw).changes === 0));
    parentPort.on('message', (rows) => parentPort.postMessage(commit.immediate(rows)));
  }
}
