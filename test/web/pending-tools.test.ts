// The run page's pending tool calls: asked of the platform once per stored version of a blocked run
// (live pages re-render on every store change), again when the run changes, and after a failed
// read at most once a minute; never for a run that is not blocked.
import { describe, expect, it } from 'vitest';
import type { PendingToolUse, Platform } from '../../src/platform/types.js';
import { PendingTools } from '../../src/web/pending-tools.js';
import { makeRun } from './helpers.js';

const TOOL: PendingToolUse = { eventId: 'sevt_1', name: 'bash', input: { command: 'ls' } };

function platform(answers: (PendingToolUse[] | Error)[]): { platform: Platform; calls: () => number } {
  let calls = 0;
  return {
    platform: {
      pendingToolUses: async () => {
        const a = answers[Math.min(calls++, answers.length - 1)];
        if (a instanceof Error) throw a;
        return a ?? [];
      },
    } as unknown as Platform,
    calls: () => calls,
  };
}

describe('PendingTools', () => {
  it('reads once per version of a blocked run, and not at all for other runs', async () => {
    const p = platform([[TOOL]]);
    const tools = new PendingTools(p.platform, () => 0);
    const blocked = makeRun('sesn_pending_test_0000000001', { status: 'blocked', version: 3 });
    expect(await tools.of(blocked)).toEqual([TOOL]);
    expect(await tools.of(blocked)).toEqual([TOOL]);
    expect(p.calls()).toBe(1);
    await tools.of({ ...blocked, version: 4 });
    expect(p.calls()).toBe(2);
    expect(await tools.of({ ...blocked, status: 'running' })).toBeNull();
    expect(p.calls()).toBe(2);
  });

  it('answers null after a failed read and asks again only after a minute', async () => {
    let now = 1_000;
    const p = platform([new Error('529 overloaded'), [TOOL]]);
    const tools = new PendingTools(p.platform, () => now);
    const blocked = makeRun('sesn_pending_test_0000000002', { status: 'blocked', version: 1 });
    expect(await tools.of(blocked)).toBeNull();
    now += 59_000;
    expect(await tools.of(blocked)).toBeNull();
    expect(p.calls()).toBe(1);
    now += 1_000;
    expect(await tools.of(blocked)).toEqual([TOOL]);
    expect(p.calls()).toBe(2);
  });
});
