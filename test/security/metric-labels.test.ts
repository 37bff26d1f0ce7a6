// /metrics label values for event types come from a bounded set: the known types plus `other`.
// A sender that stores thousands of made-up types adds one series, not thousands.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/http/metrics.js';
import { silentLogger } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { HANDLED_EVENT_TYPES } from '../../src/webhooks/event.js';

describe('metric labels', () => {
  it('bounds event type label values to the known types plus other', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-labels-'));
    const store = await openSqliteStore(path.join(dir, 'a.db'), { create: true, logger: silentLogger });
    try {
      const now = Date.now();
      const row = (id: string, type: string) => ({
        id,
        type,
        createdAt: now,
        receivedAt: now,
        subjectId: 's',
        threadId: null,
        raw: '{}',
        state: 'ignored' as const,
      });
      await store.insertEvents([
        ...Array.from({ length: 2000 }, (_, i) => row(`e${i}`, `made.up_${i}`)),
        row('k1', 'session.status_idled'),
        row('k2', 'session.status_idled'),
        row('k3', 'deployment_run.failed'),
      ]);
      const text = await renderMetrics(store, {});
      const values = [...text.matchAll(/^agenthooks_events_received_total\{type="([^"]*)"\} (\d+)$/gm)].map(
        (m) => [m[1], Number(m[2])] as const,
      );
      const known = new Set<string>([...HANDLED_EVENT_TYPES, 'other']);
      for (const [type] of values) expect(known.has(type), type).toBe(true);
      expect(new Map(values)).toEqual(
        new Map([
          ['other', 2000],
          ['session.status_idled', 2],
          ['deployment_run.failed', 1],
        ]),
      );
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
