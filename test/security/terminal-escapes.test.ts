// Escape sequences from a run (agent output, task, title, error text, metadata, file names) never
// reach the terminal: clear screen, window title, OSC 52 clipboard writes, BEL and 8-bit C1
// controls all come out as visible `\uXXXX` text, in tables, detail views and file listings.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeStream, safeText } from '../../src/cli/safe-text.js';
import type { Store } from '../../src/store/types.js';
import {
  Capture,
  cli,
  createStore,
  deliver,
  eventBody,
  makeRun,
  newEventId,
  saveNewRun,
  tempDir,
} from '../cli/helpers.js';
import { startHostileFilesApi } from './hostile-files-api.js';

const CLEAR = '\u001b[2J\u001b[H';
const TITLE = '\u001b]0;pwned\u0007';
const OSC52 = '\u001b]52;c;cm0gLXJmIH4=\u0007';
const C1 = '\u009b31m\u009d0;x\u009c';
const HOSTILE = `${CLEAR}${TITLE}${OSC52}${C1}\u007f\r\b`;
/** Any control character but newline and tab. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const dir = tempDir();
const db = path.join(dir, 'agenthooks.db');
let store: Store;

beforeAll(async () => {
  store = await createStore(db);
  await saveNewRun(
    store,
    makeRun('sesn_evil', {
      title: `title ${HOSTILE}`,
      task: `task ${HOSTILE}`,
      output: `output ${HOSTILE}\nsecond line`,
      error: `error ${HOSTILE}`,
      agentName: `agent${HOSTILE}`,
      stopReason: `stop${HOSTILE}`,
      metadata: { [`key${HOSTILE}`]: `value${HOSTILE}` },
    }),
  );
  await deliver(store, eventBody(newEventId(), `session.status_idled${HOSTILE}`, 'sesn_evil'));
});

afterAll(async () => {
  await store.close();
});

function clean(r: { stdout: string; stderr: string }): void {
  expect(r.stdout).not.toMatch(CONTROL);
  expect(r.stderr).not.toMatch(CONTROL);
}

describe('no escape sequence from a run reaches the terminal', () => {
  it('runs, runs show, events and events show', async () => {
    for (const argv of [
      ['runs'],
      ['runs', 'show', 'sesn_evil'],
      ['events'],
      ['events', '--session', 'sesn_evil'],
    ]) {
      const r = await cli([...argv, '--database', db], { env: {} });
      expect(r.code, argv.join(' ')).toBe(0);
      clean(r);
    }
    const show = await cli(['runs', 'show', 'sesn_evil', '--database', db], { env: {} });
    expect(show.stdout).toContain('output \\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007');
    expect(show.stdout).toContain('\\u009b31m');
    expect(show.stdout).toContain('second line');
    const [event] = await store.listEvents({ subjectId: 'sesn_evil', limit: 1 });
    const one = await cli(['events', 'show', event?.id ?? '', '--database', db], { env: {} });
    expect(one.code).toBe(0);
    clean(one);
  });

  it('keeps JSON output parseable to the same values', async () => {
    const r = await cli(['runs', 'show', 'sesn_evil', '--json', '--database', db], { env: {} });
    expect(r.code).toBe(0);
    clean(r);
    expect(JSON.parse(r.stdout).run.output).toBe(`output ${HOSTILE}\nsecond line`);
  });

  it('files: hostile file names and ids', async () => {
    const api = await startHostileFilesApi([{ id: `file_${HOSTILE}`, filename: `report${HOSTILE}.md` }]);
    try {
      const r = await cli(['files', 'sesn_evil'], {
        env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: api.url },
      });
      expect(r.code).toBe(0);
      clean(r);
      expect(r.stdout).toContain('report\\u001b[2J');
      const shown = await cli(['runs', 'show', 'sesn_evil', '--database', db], {
        env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: api.url },
      });
      clean(shown);
      expect(shown.stdout).toContain('Output files');
    } finally {
      await api.close();
    }
  });

  it('on a TTY keeps the CLI colors but not the run escapes', async () => {
    const tty = Object.assign(new Capture(), { isTTY: true });
    const r = await cli(['runs', '--database', db], { env: {}, stdout: tty });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\u001b\[\d+m/);
    expect(r.stdout.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(CONTROL);
  });
});

describe('safeText and safeStream', () => {
  it('makes C0 (but newline and tab), DEL and C1 visible', () => {
    expect(safeText('a\u001b[2Jb\u0007c\td\ne\u007f\u0085\u009f')).toBe(
      'a\\u001b[2Jb\\u0007c\td\ne\\u007f\\u0085\\u009f',
    );
  });

  it('cleans every write, strings and buffers, on a pipe even the SGR', () => {
    const out = new Capture();
    const s = safeStream(out);
    s.write(`x${HOSTILE}`);
    s.write(Buffer.from(`y\u001b[31mred\u001b[0m`));
    expect(out.text).not.toMatch(CONTROL);
    expect(safeStream(s)).toBe(s);
  });
});
