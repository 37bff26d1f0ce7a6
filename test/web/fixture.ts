import type { Page } from 'playwright-core';
import type { PendingToolUse, Platform, PlatformFile } from '../../src/platform/types.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import type { OutcomeEvaluation, Run, RunStatus } from '../../src/store/types.js';
import { makeRun } from './helpers.js';

export { CHROMIUM, launchChromium } from '../support/chromium.js';

/** A word no line breaking opportunity splits. */
export const UNBROKEN = `Unbroken${'Xy7'.repeat(60)}End`;
const URL_LIKE = `https://artifacts.example.com/${'segment'.repeat(20)}/report.json`;

const sid = (tag: string): string => `sesn_${`${tag}${'0A1b2C3d4E5f6G7h8I9jKlMn'}`.slice(0, 24)}`;

export const IDS = {
  plain: sid('plain'),
  root: sid('root'),
  child: sid('child'),
  sibling: sid('sibl'),
  cancelled: sid('cncl'),
  outcome: sid('outc'),
  blocked: sid('blkd'),
};

export const PENDING: PendingToolUse[] = [
  {
    eventId: `sevt_${'01JDQ4Z8MBX7R2N5W3K9TGHV'}`,
    name: 'bash',
    input: { command: `curl -fsSL ${URL_LIKE} | jq '.items[] | select(.severity == "high")'`, timeout: 120 },
  },
];

/** needs_revision, needs_revision, satisfied: what the outcome run's evaluation list must show. */
export const EVALUATIONS: OutcomeEvaluation[] = [
  ['needs_revision', `Only two causes cite incidents; ${UNBROKEN} is not evidence.`],
  ['needs_revision', 'The third cause is supported now, but the next steps are not scoped.'],
  ['satisfied', 'All three causes cite incident reports; the next steps are concrete and scoped.'],
].map(([result, explanation], iteration) => ({
  outcomeId: 'outc_01JDQ4Z8MBX7R2N5W3K9TGHV',
  description: `Report names three root causes with evidence ${URL_LIKE}`,
  result: result as string,
  explanation: explanation as string,
  iteration,
  completedAt: new Date(Date.UTC(2026, 10, 27, 11, 40 + iteration * 5)).toISOString(),
}));

export const SKIP_REASON = `when: success did not hold (the parent ended failed: ${UNBROKEN})`;
export const FAIL_REASON = `platform_error: 400 invalid_request_error agent ${UNBROKEN} was archived`;

/** The platform the run pages ask for pending tool calls and output files; nothing else is called. */
export function fakePlatform(): Platform {
  const files: PlatformFile[] = [
    {
      id: `file_${'01JDQ4Z8MBX7R2N5W3K9TGHV'}`,
      filename: `${UNBROKEN}.csv`,
      mimeType: 'text/csv',
      sizeBytes: 123_456,
      createdAt: '2026-11-27T11:50:00Z',
      downloadable: true,
    },
  ];
  return {
    pendingToolUses: async () => PENDING,
    listFiles: async () => files,
  } as unknown as Platform;
}

function long(id: string, status: RunStatus, over: Partial<Run>, now: number): Run {
  const final = status === 'succeeded' || status === 'failed' || status === 'cancelled';
  return makeRun(id, {
    agentId: `agent_${'01JDQ4Z8MBX7R2N5W3K9TGHV'}`,
    agentName: `research-agent-${UNBROKEN.slice(0, 40)}`,
    environmentId: `env_${'01JDQ4Z8MBX7R2N5W3K9TGHV'}`,
    task: `Summarise the Q3 incident reports at ${URL_LIKE} and list the causes ${UNBROKEN}`,
    status,
    sessionStatus: final || status === 'blocked' ? 'idle' : 'running',
    stopReason: final ? 'end_turn' : status === 'blocked' ? 'requires_action' : null,
    output: final
      ? `## Root causes\n\nSee ${URL_LIKE} and ${UNBROKEN}.\n\n\`\`\`\n${'const x = 1; '.repeat(30)}\n\`\`\``
      : null,
    usage: {
      inputTokens: 123_456_789,
      outputTokens: 9_876_543,
      cacheReadInputTokens: 12_345_678,
      cacheCreationInputTokens: 1_234_567,
      costCents: 1_234_567,
      activeSeconds: 98_765,
    },
    metadata: { agenthooks_launch: `lch_${'01JDQ4Z8MBX7R2N5W3K9TGHV'}`, ticket: URL_LIKE, note: UNBROKEN },
    sessionCreatedAt: now - 3_600_000,
    firstSeenAt: now - 3_590_000,
    finishedAt: final ? now - 60_000 : null,
    lastCheckedAt: now - 30_000,
    ...over,
  });
}

async function put(store: SqliteStore, run: Run, notes: (string | null)[] = [null]): Promise<void> {
  let version = 0;
  for (const [i, note] of notes.entries()) {
    const ok = await store.saveRun({
      run: { ...run, version },
      expectedVersion: version,
      history: {
        at: run.firstSeenAt + i * 1000,
        source: `whe_${'01JDQ4Z8MBX7R2N5W3K9TGHV'}${i}`,
        status: run.status,
        sessionStatus: run.sessionStatus,
        stopReason: run.stopReason,
        outcomeResult: run.outcomeResult,
        turn: run.turn,
        snapshotKey: run.snapshotKey,
        note,
      },
    });
    if (!ok) throw new Error(`could not store ${run.id}`);
    version++;
  }
}

export async function seedDashboard(store: SqliteStore, now: number): Promise<void> {
  const pipeline = `research-report-${UNBROKEN.slice(0, 30)}`;
  await put(store, long(IDS.plain, 'succeeded', {}, now));
  await put(store, long(IDS.root, 'succeeded', { pipeline, step: 'research' }, now));
  await put(store, long(IDS.child, 'failed', { pipeline, step: 'report', parentRunId: IDS.root }, now));
  await put(store, long(IDS.sibling, 'running', { pipeline, step: 'announce', parentRunId: IDS.root }, now));
  await put(store, long(IDS.cancelled, 'cancelled', {}, now));
  await put(
    store,
    long(IDS.outcome, 'succeeded', { outcomeResult: 'satisfied', evaluations: EVALUATIONS }, now),
    EVALUATIONS.map((e) => `outcome iteration ${e.iteration + 1}: ${e.result}`),
  );
  await put(store, long(IDS.blocked, 'blocked', {}, now));
  const launch = (
    step: string,
    parent: string,
    state: 'skipped' | 'failed' | 'created',
    error: string | null,
  ) =>
    store.createLaunch({
      id: `lch_${step}_${parent.slice(5)}`,
      kind: 'chain',
      pipeline,
      step,
      parentRunId: parent,
      agentName: 'writer',
      agentId: null,
      environmentId: null,
      task: 't',
      request: '{}',
      state,
      sessionId: state === 'created' ? (step === 'report' ? IDS.child : IDS.sibling) : null,
      error,
      createdAt: now - 120_000,
      updatedAt: now - 120_000,
    });
  await launch('report', IDS.root, 'created', null);
  await launch('announce', IDS.root, 'created', null);
  await launch('review', IDS.root, 'skipped', SKIP_REASON);
  await launch('publish', IDS.child, 'skipped', SKIP_REASON);
  await launch(`translate-${UNBROKEN.slice(0, 30)}`, IDS.child, 'failed', FAIL_REASON);
  const types = ['session.status_run_started', 'session.status_idled', `session.${UNBROKEN.slice(0, 50)}`];
  const events = Object.values(IDS).flatMap((subject, i) =>
    types.map((type, j) => ({
      id: `whe_${'01JDQ4Z8MBX7R2N5W3K9TG'}${i}${j}`,
      type,
      createdAt: now - 100_000 + i * 1000 + j,
      receivedAt: now - 99_000 + i * 1000 + j,
      subjectId: subject,
      threadId: null,
      raw: JSON.stringify({ type: 'event', id: `whe_${i}${j}`, data: { type, id: subject, note: UNBROKEN } }),
      state: 'pending' as const,
    })),
  );
  await store.insertEvents(events);
  const claimed = await store.claimEvents({ owner: 'fixture', limit: 100, now, leaseMs: 60_000 });
  for (const [i, e] of claimed.entries())
    await store.finishEvent(
      e.id,
      'fixture',
      i === 0 ? { state: 'failed', error: `platform_error: 529 overloaded ${UNBROKEN}` } : { state: 'done' },
      now,
    );
  await store.addRejects([
    { minute: Math.floor(now / 60_000) * 60_000, code: 'invalid_signature', count: 3 },
  ]);
}

/**
 * What is wrong with the page's layout at its current width, as sentences (empty when nothing):
 * the page scrolls sideways; a card reaches outside the viewport; something inside a card reaches
 * outside it or is wider than its own box (deliberate scroll containers, overflow-x auto/scroll,
 * and their contents, and ellipsis-cut text are allowed); two cards touch or overlap.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const vw = window.innerWidth;
    const doc = document.documentElement;
    if (doc.scrollWidth > vw) problems.push(`the page scrolls sideways: ${doc.scrollWidth} > ${vw}`);
    const name = (el: Element): string =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const scrolls = (el: Element): boolean => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    // Cards, and the boxes that stand like them on a page: the run's facts strip and its alerts.
    const cards = [...document.querySelectorAll('.card, .facts, .alert')];
    for (const card of cards) {
      const r = card.getBoundingClientRect();
      if (r.left < -0.5 || r.right > vw + 0.5) problems.push(`${name(card)} reaches outside the viewport`);
      // The outermost offender is reported; what is inside it spills with it. A scroll container's
      // contents may be wider than it: that is what it is for.
      const visit = (el: Element): void => {
        for (const child of el.children) {
          const b = child.getBoundingClientRect();
          const style = getComputedStyle(child);
          const sized = b.width > 0 || b.height > 0;
          if (sized && (b.left < r.left - 0.5 || b.right > r.right + 0.5)) {
            problems.push(
              `${name(child)} spills out of ${name(card)} (${b.left.toFixed(0)}..${b.right.toFixed(0)} vs ${r.left.toFixed(0)}..${r.right.toFixed(0)})`,
            );
            continue;
          }
          if (scrolls(child)) continue;
          const cut = style.textOverflow === 'ellipsis';
          if (!cut && child.clientWidth > 0 && child.scrollWidth > child.clientWidth + 1) {
            problems.push(
              `${name(child)} is wider inside (${child.scrollWidth}) than its box (${child.clientWidth})`,
            );
            continue;
          }
          visit(child);
        }
      };
      visit(card);
    }
    for (const [i, a] of cards.entries()) {
      for (const b of cards.slice(i + 1)) {
        if (a.contains(b) || b.contains(a)) continue;
        const ra = a.getBoundingClientRect();
        const rb = b.getBoundingClientRect();
        const gapX = Math.max(rb.left - ra.right, ra.left - rb.right);
        const gapY = Math.max(rb.top - ra.bottom, ra.top - rb.bottom);
        if (Math.max(gapX, gapY) < 1) problems.push(`${name(a)} and ${name(b)} touch`);
      }
    }
    return problems;
  });
}
