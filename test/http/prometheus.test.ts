// The strict parser the /metrics tests rely on must itself reject malformed expositions, and the
// renderer's output (from a real SQLite store) must pass it, label escaping included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/http/metrics.js';
import { silentLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open.js';
import { parsePrometheus } from './prometheus.js';

describe('strict Prometheus text parser', () => {
  it('accepts a valid exposition', () => {
    const p = parsePrometheus(
      '# HELP a_total Things.\n# TYPE a_total counter\na_total{code="x\\"y",b="1"} 3\n# TYPE g gauge\ng 1.5e3 1700000000000\n',
    );
    expect(p.value('a_total', { code: 'x"y', b: '1' })).toBe(3);
    expect(p.value('g', {})).toBe(1500);
  });
  it.each([
    ['no final newline', 'a 1'],
    ['bad value', 'a one\n'],
    ['bad metric name', '1a 1\n'],
    ['unquoted label', 'a{b=c} 1\n'],
    ['bad escape', 'a{b="\\t"} 1\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['duplicate series', 'a{b="1"} 1\na{b="1"} 2\n'],
    ['interleaved families', 'a 1\nb 1\na{x="1"} 1\n'],
    ['negative counter', '# TYPE c counter\nc -1\n'],
    ['unknown type', '# TYPE c countr\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => parsePrometheus(text)).toThrow();
  });
});

describe('renderMetrics', () => {
  it('renders a store (with awkward label values) into text the parser accepts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-metrics-'));
    const file = path.join(dir, 'a.db');
    const store = await openStore(
      { kind: 'sqlite', url: file, display: file, source: 'flag' },
      { create: true, logger: silentLogger },
    );
    try {
      const now = Date.now();
      await store.insertEvents([
        {
          id: 'e1',
          type: 'odd"type\\with\nstuff',
          createdAt: now,
          receivedAt: now,
          subjectId: null,
          threadId: null,
          raw: '{}',
          state: 'ignored',
        },
        {
          id: 'e2',
          type: 'session.status_idled',
          createdAt: now,
          receivedAt: now,
          subjectId: 's',
          threadId: null,
          raw: '{}',
          state: 'pending',
        },
      ]);
      await store.addRejects([{ minute: 0, code: 'invalid_signature', count: 2 }]);
      const text = await renderMetrics(store, {
        worker: { processed: 1, fetched: 1, skipped: 0, retried: 0, failed: 0 },
        pendingRejects: [{ code: 'invalid_signature', count: 1 }],
      });
      const m = parsePrometheus(text);
      // A type outside the known set is counted as `other`, never echoed as a label value.
      expect(m.value('agenthooks_events_received_total', { type: 'other' })).toBe(1);
      expect(text).not.toContain('odd');
      expect(m.value('agenthooks_worker_backlog', {})).toBe(1);
      expect(m.value('agenthooks_webhook_rejects_total', { code: 'invalid_signature' })).toBe(3);
      expect(m.value('agenthooks_events', { state: 'ignored' })).toBe(1);
      expect(() => m.value('agenthooks_reconciler_reads_total', {})).toThrow();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
