// `npm run screenshots`: seeds a fresh SQLite store with a fixed seed and a fixed clock, starts the
// dashboard on 127.0.0.1 (ephemeral port) and writes a PNG of each page to docs/screenshots/ with
// headless Chromium. Run after `npm run build` (the npm script does that). Same seed, same clock,
// same pictures.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, hasChromium, INSTALL_CHROMIUM, launchChromiumAt } from './chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => path.join(root, 'dist', p);
const NOW = Date.parse('2026-11-27T12:00:00.000Z');
const SEED = 20261127;
const outDir = path.join(root, 'docs', 'screenshots');

/** mulberry32: a tiny seeded PRNG, so the data is the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const id = (prefix, n = 24) => {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = prefix;
  for (let i = 0; i < n; i++) s += chars[Math.floor(rand() * chars.length)];
  return s;
};

const TASKS = [
  ['researcher', 'Summarise the Q3 incident reports and list the three most common root causes'],
  [
    'researcher',
    'Find every public benchmark comparing SQLite WAL and PostgreSQL for small write-heavy services',
  ],
  ['writer', 'Draft release notes for v2.4 from the merged pull requests'],
  ['triage', 'Label the 40 newest GitHub issues by area and severity'],
  ['reviewer', 'Review the migration plan for the billing database and flag risky steps'],
  ['writer', 'Write a customer-facing post-mortem for the 14 November outage'],
  ['researcher', 'Compare three vector databases on cost per million queries'],
  ['triage', 'Deduplicate the support tickets opened this week'],
  ['coder', 'Fix the flaky test in payments/refund.test.ts and explain the cause'],
  ['coder', 'Upgrade the service to Node 20 and list breaking changes'],
  ['reviewer', 'Check the Terraform diff for the staging VPC for security issues'],
  ['writer', 'Turn the onboarding checklist into a one-page guide'],
];

const OUTPUT = `## Root causes

The 27 incident reports from Q3 point to three recurring causes:

1. **Expired certificates** on internal services (9 incidents), mostly on hosts outside the renewal automation.
2. **Connection pool exhaustion** after deploys (7 incidents): new pods open connections before old ones drain.
3. **Unbounded retries** from the mobile client (5 incidents), amplifying small outages.

## Suggested next steps

- Move the remaining hosts to the certificate automation and alert 14 days before expiry.
- Cap the pool per pod and add a pre-stop drain hook.
- Add jittered backoff with a retry budget to the client:

\`\`\`ts
const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random());
\`\`\`

Sources are listed per incident in the appendix <script>alert("escaped")</script>.`;

function usage(scale) {
  const input = Math.round(8000 + rand() * 60000 * scale);
  const output = Math.round(900 + rand() * 6000 * scale);
  return {
    inputTokens: input,
    outputTokens: output,
    cacheReadInputTokens: Math.round(input * 0.6),
    cacheCreationInputTokens: Math.round(input * 0.1),
    costCents: Math.round((input * 0.3 + output * 1.5) / 1000 + 1),
    activeSeconds: Math.round(20 + rand() * 400 * scale),
  };
}

function baseRun(over) {
  return {
    agentId: null,
    agentName: null,
    agentVersion: 1,
    environmentId: 'env_01JdemoEnvironment',
    title: null,
    task: null,
    status: 'succeeded',
    sessionStatus: 'idle',
    stopReason: 'end_turn',
    outcomeResult: null,
    evaluations: [],
    output: null,
    usage: null,
    error: null,
    archived: false,
    turn: 1,
    snapshotKey: null,
    metadata: {},
    launchedBy: 'agenthooks',
    launchId: null,
    parentRunId: null,
    pipeline: null,
    step: null,
    sessionCreatedAt: null,
    sessionUpdatedAt: null,
    firstSeenAt: 0,
    finishedAt: null,
    lastCheckedAt: null,
    version: 0,
    ...over,
  };
}

async function seed(store) {
  const events = [];
  const failures = [];
  const runs = [];
  const addEvent = (type, sessionId, at, state = 'done') => {
    const eid = id('whe_', 26);
    const raw = JSON.stringify({
      type: 'event',
      id: eid,
      created_at: new Date(at - 150).toISOString(),
      data: { type, id: sessionId, organization_id: 'org_01Demo', workspace_id: 'wrkspc_01Demo' },
    });
    events.push({
      id: eid,
      type,
      createdAt: at - 150,
      receivedAt: at,
      subjectId: sessionId,
      threadId: null,
      raw,
      state: state === 'failed' ? 'pending' : state,
    });
    if (state === 'failed') failures.push(eid);
    return eid;
  };
  const statuses = [
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'failed',
    'running',
    'succeeded',
    'blocked',
    'succeeded',
    'failed',
  ];
  const chainStart = NOW - 25 * 60_000;
  for (let i = 0; i < 36; i++) {
    // Run 2 is the root of the research-report chain below.
    const chainRoot = i === 2;
    const [agent, task] = chainRoot ? TASKS[0] : TASKS[i % TASKS.length];
    const status = i < 2 ? 'running' : chainRoot ? 'succeeded' : pick(statuses);
    const start = chainRoot ? chainStart : NOW - Math.round((i * 47 + rand() * 30) * 60_000) - 20_000;
    const took = chainRoot ? 9 * 60_000 : Math.round((40 + rand() * 600) * 1000);
    const final = status === 'succeeded' || status === 'failed';
    const withOutcome = i % 3 === 0 || chainRoot;
    const stopReason =
      status === 'failed'
        ? withOutcome
          ? 'end_turn'
          : pick(['retries_exhausted', 'refusal', 'budget_reached'])
        : status === 'blocked'
          ? 'requires_action'
          : final
            ? 'end_turn'
            : null;
    const evaluations =
      withOutcome && final
        ? [
            {
              outcomeId: 'outc_01demo',
              description: 'Report names at least three root causes with evidence',
              result: 'needs_revision',
              explanation: 'Only two causes are supported by incident links; the third is speculative.',
              iteration: 0,
              completedAt: new Date(start + took / 2).toISOString(),
            },
            {
              outcomeId: 'outc_01demo',
              description: 'Report names at least three root causes with evidence',
              result: status === 'succeeded' ? 'satisfied' : 'max_iterations_reached',
              explanation:
                status === 'succeeded'
                  ? 'All three causes cite incident reports; next steps are concrete and scoped.'
                  : 'Still missing evidence for the third cause after 3 iterations.',
              iteration: 1,
              completedAt: new Date(start + took).toISOString(),
            },
          ]
        : [];
    const sid = id('sesn_');
    const run = baseRun({
      id: sid,
      agentId: `agent_01${agent}`,
      agentName: agent,
      agentVersion: 1 + (i % 3),
      task,
      status,
      sessionStatus: final ? 'idle' : status === 'blocked' ? 'idle' : 'running',
      stopReason,
      outcomeResult: evaluations.length ? evaluations[evaluations.length - 1].result : null,
      evaluations,
      pipeline: chainRoot ? 'research-report' : null,
      step: chainRoot ? 'research' : null,
      output: final
        ? i % 4 === 0 || chainRoot
          ? OUTPUT
          : `Done. ${task.split(' ').slice(0, 6).join(' ')}: see the summary below.\n\nEverything requested is complete; 2 items need a human decision.`
        : null,
      usage: final || status === 'blocked' ? usage(1) : usage(0.3),
      sessionCreatedAt: start,
      sessionUpdatedAt: final ? start + took : start + 5000,
      firstSeenAt: start + 300,
      finishedAt: final ? start + took : null,
      lastCheckedAt: start + took,
      snapshotKey: `${start + took}`,
      metadata: { agenthooks_launch: id('lch_', 12), team: pick(['platform', 'growth', 'support']) },
      launchId: null,
    });
    runs.push(run);
    addEvent('session.status_run_started', sid, start + 900);
    if (final || status === 'blocked')
      addEvent('session.status_idled', sid, start + took + 400, i === 4 ? 'failed' : 'done');
    if (evaluations.length) addEvent('session.outcome_evaluation_ended', sid, start + took + 650);
  }
  // A chain: research -> report -> (review, notify)
  const research = runs[2];
  const report = baseRun({
    id: id('sesn_'),
    agentName: 'writer',
    agentVersion: 2,
    metadata: { agenthooks_launch: 'lch_report01', agenthooks_step: 'report' },
    usage: usage(0.6),
    agentId: 'agent_01writer',
    task: 'Write a report from the research below.',
    pipeline: 'research-report',
    step: 'report',
    parentRunId: research.id,
    status: 'succeeded',
    output:
      'Report: Q3 incidents\n\nThree causes account for 21 of 27 incidents. The full report with evidence and owners is below.\n\n- Certificates: move 11 hosts to automation (owner: platform)\n- Pools: cap per pod, add pre-stop drain (owner: payments)\n- Retries: add a retry budget to the mobile client (owner: mobile)',
    sessionCreatedAt: chainStart + 9.5 * 60_000,
    firstSeenAt: chainStart + 9.5 * 60_000,
    finishedAt: chainStart + 14 * 60_000,
    sessionUpdatedAt: chainStart + 14 * 60_000,
  });
  const review = baseRun({
    id: id('sesn_'),
    agentName: 'reviewer',
    agentId: 'agent_01reviewer',
    task: 'Review the report for accuracy.',
    pipeline: 'research-report',
    step: 'review',
    parentRunId: report.id,
    status: 'running',
    sessionStatus: 'running',
    stopReason: null,
    usage: usage(0.2),
    sessionCreatedAt: chainStart + 14.5 * 60_000,
    firstSeenAt: chainStart + 14.5 * 60_000,
  });
  const notify = baseRun({
    id: id('sesn_'),
    agentName: 'writer',
    agentId: 'agent_01writer',
    task: 'Post a two-line summary to the team channel.',
    pipeline: 'research-report',
    step: 'announce',
    parentRunId: report.id,
    status: 'succeeded',
    output: 'Posted.',
    usage: usage(0.1),
    sessionCreatedAt: chainStart + 14.6 * 60_000,
    firstSeenAt: chainStart + 14.6 * 60_000,
    finishedAt: chainStart + 15.5 * 60_000,
  });
  runs.push(report, review, notify);
  for (const r of [report, review, notify])
    addEvent('session.status_run_started', r.id, r.sessionCreatedAt + 800);
  addEvent('session.status_idled', report.id, report.finishedAt + 300);
  addEvent('session.status_idled', notify.id, notify.finishedAt + 300);
  // Background traffic for the events-per-minute chart.
  for (let m = 0; m < 60; m++) {
    const n = Math.round(2 + 6 * Math.sin(m / 6) ** 2 + rand() * 5 + (m > 40 && m < 46 ? 14 : 0));
    for (let k = 0; k < n; k++)
      addEvent(
        pick(['session.thread_created', 'session.thread_idled', 'session.status_run_started']),
        id('sesn_'),
        NOW - (60 - m) * 60_000 + Math.round(rand() * 59_000),
        'done',
      );
  }
  for (const run of runs) {
    const history = {
      at: run.firstSeenAt,
      source: 'launch',
      status: 'pending',
      sessionStatus: null,
      stopReason: null,
      outcomeResult: null,
      turn: 1,
      snapshotKey: null,
      note: null,
    };
    await store.saveRun({ run: { ...run, status: 'pending' }, expectedVersion: 0, history });
    const started = {
      ...run,
      status: 'running',
      sessionStatus: 'running',
      stopReason: null,
      outcomeResult: null,
      output: null,
      finishedAt: null,
    };
    await store.saveRun({
      run: started,
      expectedVersion: 1,
      history: {
        ...history,
        at: run.firstSeenAt + 900,
        source: 'whe_run_started',
        status: 'running',
        sessionStatus: 'running',
      },
    });
    if (run.status !== 'running') {
      await store.saveRun({
        run,
        expectedVersion: 2,
        history: {
          ...history,
          at: (run.finishedAt ?? run.firstSeenAt + 5000) + 400,
          source: 'whe_idled',
          status: run.status,
          sessionStatus: run.sessionStatus,
          stopReason: run.stopReason,
          outcomeResult: run.outcomeResult,
        },
      });
    }
  }
  events.sort((a, b) => a.receivedAt - b.receivedAt);
  for (let i = 0; i < events.length; i += 200) await store.insertEvents(events.slice(i, i + 200));
  const claimed = await store.claimEvents({ owner: 'screenshots', limit: 100, now: NOW, leaseMs: 60_000 });
  for (const e of claimed) {
    if (failures.includes(e.id))
      await store.finishEvent(
        e.id,
        'screenshots',
        {
          state: 'failed',
          error: 'platform_error: 529 overloaded_error after 5 attempts (retry-after 30 s)',
        },
        NOW - 3 * 60_000,
      );
  }
  const rejects = [];
  for (let m = 0; m < 60; m += 7)
    rejects.push({
      minute: Math.floor((NOW - (60 - m) * 60_000) / 60_000) * 60_000,
      code: 'invalid_signature',
      count: 1 + (m % 3),
    });
  rejects.push({
    minute: Math.floor((NOW - 12 * 60_000) / 60_000) * 60_000,
    code: 'timestamp_too_old',
    count: 2,
  });
  rejects.push({
    minute: Math.floor((NOW - 33 * 60_000) / 60_000) * 60_000,
    code: 'body_too_large',
    count: 1,
  });
  await store.addRejects(rejects);
  await store.setMeta(
    'reconciler.last_sweep',
    JSON.stringify({ at: NOW - 41_000, listed: 38, refreshed: 2, reads: 7, errors: 0 }),
  );
  await store.setMeta(
    'serve.heartbeat',
    JSON.stringify({ at: NOW - 2_000, pid: 4242, url: 'http://127.0.0.1:8787' }),
  );
  return { runs, research, report };
}

/** Stores `run` through the states in `steps` (each a partial run plus its history fields), as the
 * worker would: one compare-and-set and one history entry per step, the last step being `run`. */
async function saveThrough(store, run, steps) {
  for (const [version, step] of steps.entries()) {
    const { at, source, note = null, ...state } = step;
    const next = { ...run, ...state };
    await store.saveRun({
      run: { ...next, version },
      expectedVersion: version,
      history: {
        at,
        source,
        status: next.status,
        sessionStatus: next.sessionStatus,
        stopReason: next.stopReason,
        outcomeResult: next.outcomeResult,
        turn: 1,
        snapshotKey: null,
        note,
      },
    });
  }
}

/** A run that `npx agenthooks cancel` ended: a user.interrupt, then idle with end_turn. */
async function seedCancelledRun(store) {
  const start = NOW - 18 * 60_000;
  const run = baseRun({
    id: id('sesn_'),
    agentId: 'agent_01coder',
    agentName: 'coder',
    task: 'Rewrite the billing export in Rust and benchmark it against the current one',
    status: 'cancelled',
    sessionStatus: 'idle',
    stopReason: 'end_turn',
    usage: usage(0.4),
    sessionCreatedAt: start,
    sessionUpdatedAt: start + 6 * 60_000,
    firstSeenAt: start + 300,
    finishedAt: start + 6 * 60_000,
    lastCheckedAt: start + 6 * 60_000,
    metadata: { agenthooks_launch: id('lch_', 12), team: 'platform' },
  });
  await saveThrough(store, run, [
    {
      at: start + 300,
      source: 'launch',
      status: 'pending',
      sessionStatus: null,
      stopReason: null,
      finishedAt: null,
    },
    {
      at: start + 1200,
      source: id('whe_', 26),
      status: 'running',
      sessionStatus: 'running',
      stopReason: null,
      finishedAt: null,
    },
    { at: start + 6 * 60_000 + 400, source: id('whe_', 26) },
  ]);
  return run;
}

/** A run waiting for a tool confirmation: blocked, not ended, with the command that answers it. */
async function seedBlockedRun(store) {
  const start = NOW - 7 * 60_000;
  const run = baseRun({
    id: id('sesn_'),
    agentId: 'agent_01coder',
    agentName: 'coder',
    task: 'Clean up the staging bucket: delete build artefacts older than 30 days',
    status: 'blocked',
    sessionStatus: 'idle',
    stopReason: 'requires_action',
    usage: usage(0.2),
    sessionCreatedAt: start,
    sessionUpdatedAt: start + 3 * 60_000,
    firstSeenAt: start + 300,
    lastCheckedAt: start + 3 * 60_000,
    metadata: { agenthooks_launch: id('lch_', 12), team: 'platform' },
  });
  await saveThrough(store, run, [
    { at: start + 300, source: 'launch', status: 'pending', sessionStatus: null, stopReason: null },
    {
      at: start + 1100,
      source: id('whe_', 26),
      status: 'running',
      sessionStatus: 'running',
      stopReason: null,
    },
    { at: start + 3 * 60_000 + 400, source: id('whe_', 26) },
  ]);
  const pending = [
    {
      eventId: id('sevt_'),
      name: 'bash',
      input: {
        command:
          "aws s3 rm s3://acme-staging-artifacts/builds/ --recursive --exclude '*' --include '2026-10-*'",
      },
    },
  ];
  return { run, pending };
}

/** The report step's `translate` follow-up, skipped because its condition did not hold. */
async function seedSkippedStep(store, report) {
  await store.createLaunch({
    id: 'lch_translate01',
    kind: 'chain',
    pipeline: 'research-report',
    step: 'translate',
    parentRunId: report.id,
    agentName: 'writer',
    agentId: null,
    environmentId: null,
    task: 'Translate the report into German.',
    request: '{}',
    state: 'skipped',
    sessionId: null,
    error: 'when: failed did not hold (report ended succeeded)',
    createdAt: report.finishedAt + 500,
    updatedAt: report.finishedAt + 500,
  });
}

/** What the run pages ask the platform, answered from the seed: the blocked run's pending tool
 * call and the research run's output file. Nothing else is called (the worker is off). */
function screenshotPlatform(blocked, research) {
  return {
    baseURL: 'http://127.0.0.1:0',
    pendingToolUses: async (sessionId) => (sessionId === blocked.run.id ? blocked.pending : []),
    listFiles: async (scopeId) =>
      scopeId === research.id
        ? [
            {
              id: 'file_01Q3rootCauses',
              filename: 'q3-root-causes.md',
              mimeType: 'text/markdown',
              sizeBytes: 18_734,
              createdAt: new Date(NOW - 16 * 60_000).toISOString(),
              downloadable: true,
            },
          ]
        : [],
  };
}

/** The research run's session events, stored as `transcript` caches a final run's (the run page
 * reads them from the store: the screenshot server has no platform). */
async function seedTranscript(store, run) {
  const at = (s) => new Date(run.firstSeenAt + s * 1000).toISOString();
  const text = (t) => [{ type: 'text', text: t }];
  const grep = Array.from(
    { length: 27 },
    (_, i) =>
      `reports/q3/INC-${3100 + i}.md: root cause: ${pick(['expired certificate', 'connection pool exhausted', 'retry storm', 'config drift'])}`,
  ).join('\n');
  const toolUse = id('sevt_');
  const events = [
    { type: 'user.message', id: id('sevt_'), content: text(run.task), processed_at: at(0) },
    {
      type: 'user.define_outcome',
      id: id('sevt_'),
      description: 'Three root causes, each with its incidents',
      rubric: { type: 'text', content: '- names three causes\n- counts incidents per cause' },
      max_iterations: 3,
      outcome_id: 'outc_q3causes',
      processed_at: at(0.2),
    },
    { type: 'session.status_running', id: id('sevt_'), processed_at: at(0.4) },
    {
      type: 'agent.message',
      id: id('sevt_'),
      content: text('I will read every Q3 incident report and group them by **root cause**.'),
      processed_at: at(3),
    },
    {
      type: 'agent.tool_use',
      id: toolUse,
      name: 'bash',
      input: { command: 'grep -H "root cause:" reports/q3/*.md' },
      processed_at: at(4),
    },
    {
      type: 'agent.tool_result',
      id: id('sevt_'),
      tool_use_id: toolUse,
      content: text(grep),
      is_error: false,
      processed_at: at(5),
    },
    {
      type: 'agent.message',
      id: id('sevt_'),
      content: text('## Draft\n\n1. Expired certificates\n2. Connection pools\n3. Retry storms'),
      processed_at: at(40),
    },
    {
      type: 'span.outcome_evaluation_start',
      id: id('sevt_'),
      outcome_id: 'outc_q3causes',
      iteration: 0,
      processed_at: at(41),
    },
    {
      type: 'span.outcome_evaluation_end',
      id: id('sevt_'),
      outcome_evaluation_start_id: '',
      outcome_id: 'outc_q3causes',
      iteration: 0,
      result: 'needs_revision',
      explanation: 'The causes are named but the incident counts per cause are missing.',
      processed_at: at(48),
    },
    {
      type: 'agent.message',
      id: id('sevt_'),
      content: text(
        '## Root causes\n\n1. **Expired certificates**: 9 incidents\n2. **Connection pool exhaustion**: 7 incidents\n3. **Retry storms**: 5 incidents',
      ),
      processed_at: at(70),
    },
    {
      type: 'span.outcome_evaluation_start',
      id: id('sevt_'),
      outcome_id: 'outc_q3causes',
      iteration: 1,
      processed_at: at(71),
    },
    {
      type: 'span.outcome_evaluation_end',
      id: id('sevt_'),
      outcome_evaluation_start_id: '',
      outcome_id: 'outc_q3causes',
      iteration: 1,
      result: 'satisfied',
      explanation: 'All rubric criteria are met.',
      processed_at: at(77),
    },
    {
      type: 'session.status_idle',
      id: id('sevt_'),
      stop_reason: { type: 'end_turn' },
      stop_details: null,
      processed_at: at(78),
    },
  ];
  await store.saveTranscript({
    runId: run.id,
    turn: run.turn,
    eventsJson: JSON.stringify(events),
    eventCount: events.length,
    truncated: false,
    storedAt: NOW,
  });
}

// ---- the agents and pipelines pages: 30 days of history in a store of their own ----------------
// A separate store (and PRNG), so the pictures above stay as they are.

const DAY = 86_400_000;
const INSIGHT_SEED = 20261130;

/** 30 days of runs for five agents and the research-report pipeline, with trends worth a chart. */
async function seedInsight(store) {
  const r = rng(INSIGHT_SEED);
  const between = (lo, hi) => lo + r() * (hi - lo);
  const choose = (xs) => xs[Math.floor(r() * xs.length)];
  const today = Math.floor(NOW / DAY) * DAY;
  let n = 0;
  const next = () => `sesn_ins${String(n++).padStart(5, '0')}`;
  const cost = (cents) => ({
    inputTokens: Math.round(cents * 900),
    outputTokens: Math.round(cents * 120),
    cacheReadInputTokens: 0,
    cacheCreationInputTokens: 0,
    costCents: Math.round(cents),
    activeSeconds: null,
  });
  const evaluation = (k, result) => ({
    outcomeId: 'outc_01demo',
    description: 'The report cites a source for every claim',
    result,
    explanation: null,
    iteration: k,
    completedAt: null,
  });
  const runs = [];
  const skipped = [];
  // One run: `fail` is the chance it fails, `mins` its typical minutes, `cents` its typical cost.
  const add = (agent, at, o) => {
    const failed = r() < o.fail;
    const took = Math.round(between(0.5, 1.6) * o.mins * 60_000);
    const stillRunning = at + took > NOW;
    let outcomeResult = null;
    let evaluations = [];
    if (o.outcome) {
      const iterations = failed ? 3 : 1 + Math.floor(r() * 3);
      outcomeResult = failed
        ? choose(['max_iterations_reached', 'max_iterations_reached', 'failed'])
        : 'satisfied';
      evaluations = Array.from({ length: iterations }, (_, k) =>
        evaluation(k, k === iterations - 1 ? outcomeResult : 'needs_revision'),
      );
    }
    const status = stillRunning ? 'running' : failed ? 'failed' : 'succeeded';
    const stopReason = stillRunning
      ? null
      : failed && !o.outcome
        ? choose(['retries_exhausted', 'retries_exhausted', 'refusal', 'budget_reached', 'terminated'])
        : 'end_turn';
    const run = baseRun({
      id: next(),
      agentId: `agent_01${agent}`,
      agentName: agent,
      task: `${agent} task ${n}`,
      status,
      sessionStatus: stillRunning ? 'running' : 'idle',
      stopReason,
      outcomeResult: stillRunning ? null : outcomeResult,
      evaluations: stillRunning ? [] : evaluations,
      usage: r() < 0.05 ? null : cost(between(0.6, 1.4) * o.cents),
      pipeline: o.pipeline ?? null,
      step: o.step ?? null,
      parentRunId: o.parent ?? null,
      sessionCreatedAt: at,
      sessionUpdatedAt: at + took,
      firstSeenAt: at + 300,
      finishedAt: stillRunning ? null : at + took,
    });
    runs.push(run);
    return run;
  };
  for (let d = 29; d >= 0; d--) {
    const day = today - d * DAY;
    const busy = 0.7 + 0.3 * Math.sin(d / 3) ** 2;
    const at = () => Math.min(NOW - 60_000, day + Math.round(between(0.05, 0.95) * DAY));
    // The researcher's prompt changed 12 days ago: fewer failed outcomes since.
    for (let k = 0; k < Math.round(9 * busy); k++)
      add('researcher', at(), { fail: d > 12 ? 0.32 : 0.1, mins: 14, cents: 38, outcome: true });
    for (let k = 0; k < Math.round(6 * busy); k++) add('writer', at(), { fail: 0.08, mins: 4, cents: 12 });
    for (let k = 0; k < Math.round(12 * busy); k++) add('triage', at(), { fail: 0.04, mins: 1.2, cents: 3 });
    // The coder got slower and dearer over the month.
    for (let k = 0; k < 3; k++)
      add('coder', at(), { fail: 0.18, mins: 9 + (29 - d) * 0.6, cents: 40 + (29 - d) * 2 });
    // research-report: research -> report (when it succeeded) -> review, announce (when the review passed).
    for (let k = 0; k < 3; k++) {
      const t = at();
      const pipe = { pipeline: 'research-report' };
      const research = add('researcher', t, { ...pipe, step: 'research', fail: 0.15, mins: 12, cents: 35 });
      const skip = (step, parent, when) =>
        skipped.push({ step, parent, at: (parent.finishedAt ?? parent.firstSeenAt) + 500, when });
      if (research.status !== 'succeeded') {
        skip('report', research, 'success');
        continue;
      }
      const report = add('writer', research.finishedAt + 2000, {
        ...pipe,
        step: 'report',
        parent: research.id,
        fail: 0.06,
        mins: 5,
        cents: 14,
      });
      if (report.status !== 'succeeded') continue;
      const review = add('reviewer', report.finishedAt + 2000, {
        ...pipe,
        step: 'review',
        parent: report.id,
        fail: 0.2,
        mins: 3,
        cents: 9,
      });
      if (review.status === 'succeeded')
        add('writer', review.finishedAt + 2000, {
          ...pipe,
          step: 'announce',
          parent: review.id,
          fail: 0.02,
          mins: 1,
          cents: 2,
        });
      else skip('announce', review, 'success');
    }
  }
  for (const run of runs) {
    if (run.firstSeenAt > NOW) continue;
    await store.saveRun({
      run,
      expectedVersion: 0,
      history: {
        at: run.firstSeenAt,
        source: 'launch',
        status: run.status,
        sessionStatus: run.sessionStatus,
        stopReason: run.stopReason,
        outcomeResult: run.outcomeResult,
        turn: 1,
        snapshotKey: null,
        note: null,
      },
    });
  }
  for (const [i, s] of skipped.entries()) {
    if (s.at > NOW) continue;
    await store.createLaunch({
      id: `lch_ins${String(i).padStart(5, '0')}`,
      kind: 'chain',
      pipeline: 'research-report',
      step: s.step,
      parentRunId: s.parent.id,
      agentName: 'writer',
      agentId: null,
      environmentId: null,
      task: `${s.step} for ${s.parent.id}`,
      request: '{}',
      state: 'skipped',
      sessionId: null,
      error: `when: ${s.when} did not hold`,
      createdAt: s.at,
      updatedAt: s.at,
    });
  }
}

/** The agents list, one agent and the pipeline, from their own seeded store and server. */
async function insightShots(browser, tmp, only) {
  const shots = [
    ['agents.png', '/agents', true],
    ['agent.png', '/agents/researcher', true],
    ['pipeline.png', '/pipelines/research-report', true],
  ].filter(([file]) => !only || file.includes(only));
  if (shots.length === 0) return;
  const dir = path.join(tmp, 'insight');
  mkdirSync(dir);
  const { openSqliteStore } = await import(dist('store/sqlite/index.js'));
  const { silentLogger } = await import(dist('logger.js'));
  const store = await openSqliteStore(path.join(dir, 'agenthooks.db'), {
    create: true,
    logger: silentLogger,
  });
  const server = await startServer(store, { now: () => NOW }, dir);
  try {
    await seedInsight(store);
    for (const [file, route, full] of shots) {
      const page = await browser.newPage();
      await page.emulateMedia({ colorScheme: 'light' });
      await page.goto(`${server.url}${route}`, { waitUntil: 'load' });
      // A full page ends below the last card, not at whatever height the document reports.
      const bottom = await page.evaluate(() =>
        Math.ceil(document.querySelector('main')?.getBoundingClientRect().bottom ?? 0),
      );
      await page.screenshot({
        path: path.join(outDir, file),
        fullPage: full,
        clip: full ? { x: 0, y: 0, width: 1280, height: bottom + 32 } : undefined,
        animations: 'disabled',
        caret: 'hide',
      });
      await page.close();
      process.stdout.write(`wrote docs/screenshots/${file}\n`);
    }
  } finally {
    await server.close();
    await store.close();
  }
}

/** The real `serve` app (createApp) on the seeded store, on an ephemeral loopback port. */
async function startServer(store, clock, dir, platform) {
  const { silentLogger } = await import(dist('logger.js'));
  const { createApp } = await import(dist('app.js'));
  const { createRuntime } = await import(dist('runtime.js'));
  const { resolveServeConfig } = await import(dist('http/serve-config.js'));
  const { generateSecret } = await import(dist('webhooks/sign.js'));
  // A token is configured so that /login shows the form; loopback requests still get in without it.
  const config = resolveServeConfig(
    {
      host: '127.0.0.1',
      port: '0',
      signingKey: [generateSecret()],
      database: path.join(dir, 'agenthooks.db'),
      // The platform here only answers the run pages; no worker runs against it.
      worker: false,
    },
    { AGENTHOOKS_TOKEN: 'screenshots-token-for-the-login-page' },
    dir,
  );
  const runtime = createRuntime({
    settings: { reconcileIntervalMs: config.reconcileIntervalMs },
    store,
    platform: platform ?? null,
    clock,
    logger: silentLogger,
    configFile: { path: null, agents: {}, environments: {}, pipelines: {} },
  });
  const app = createApp({ config, runtime });
  const url = await app.listen();
  return { url, close: () => app.close() };
}

async function main() {
  if (!existsSync(dist('web/dashboard.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm run screenshots does).');
  if (!hasChromium()) {
    process.stderr.write(`screenshots: ${CHROMIUM} not found; install it with: ${INSTALL_CHROMIUM}\n`);
    process.exit(1);
  }
  const tmp = mkdtempSync(path.join(tmpdir(), 'agenthooks-shots-'));
  const { openSqliteStore } = await import(dist('store/sqlite/index.js'));
  const { silentLogger } = await import(dist('logger.js'));
  const store = await openSqliteStore(path.join(tmp, 'agenthooks.db'), {
    create: true,
    logger: silentLogger,
  });
  const clock = { now: () => NOW };
  const { research, report } = await seed(store);
  // Seeded after the rest, so the pictures above keep their data.
  const cancelled = await seedCancelledRun(store);
  const blocked = await seedBlockedRun(store);
  await seedSkippedStep(store, report);
  await seedTranscript(store, research);
  const server = await startServer(store, clock, tmp, screenshotPlatform(blocked, research));
  const browser = await launchChromiumAt(path.join(tmp, 'chromium'), {
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
  });
  mkdirSync(outDir, { recursive: true });
  const shots = [
    ['runs.png', '/', 'light', false],
    ['runs-dark.png', '/', 'dark', false],
    ['run-chain.png', `/runs/${encodeURIComponent(report.id)}`, 'light', true],
    ['run-outcome.png', `/runs/${encodeURIComponent(research.id)}`, 'light', true],
    ['events.png', '/events', 'light', false],
    ['health.png', '/health-view', 'light', true],
    ['login.png', '/login', 'light', false],
    [
      'run-evaluations.png',
      `/runs/${encodeURIComponent(research.id)}`,
      'light',
      false,
      { selector: '#run-outcome' },
    ],
    ['run-cancelled.png', `/runs/${encodeURIComponent(cancelled.id)}`, 'light', false],
    ['run-blocked.png', `/runs/${encodeURIComponent(blocked.run.id)}`, 'light', false],
    ['run-blocked-phone.png', `/runs/${encodeURIComponent(blocked.run.id)}`, 'light', true, { width: 360 }],
    // The run page's Transcript section alone (an element, not the page).
    [
      'transcript.png',
      `/runs/${encodeURIComponent(research.id)}`,
      'light',
      false,
      { selector: '#run-transcript' },
    ],
  ];
  const only = process.argv[2];
  try {
    for (const [file, route, scheme, full, opts = {}] of shots) {
      if (only && !file.includes(only)) continue;
      const page = await browser.newPage();
      // Phone shots: 360 px wide.
      if (opts.width) await page.setViewportSize({ width: opts.width, height: 780 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${server.url}${route}`, { waitUntil: 'load' });
      // Live pages: wait until the stream said hello, so the indicator reads "Live".
      if (await page.locator('[data-live-indicator]').count()) {
        await page.waitForSelector('[data-live-indicator][data-state="live"]', { timeout: 10_000 });
      }
      // The sticky top bar would cover the element where the screenshot scrolls to it.
      if (opts.selector) await page.addStyleTag({ content: '.topbar { position: static !important; }' });
      const target = opts.selector ? page.locator(opts.selector) : page;
      await target.screenshot({
        path: path.join(outDir, file),
        ...(opts.selector ? {} : { fullPage: full }),
        animations: 'disabled',
        caret: 'hide',
      });
      await page.close();
      process.stdout.write(`wrote docs/screenshots/${file}\n`);
    }
    await insightShots(browser, tmp, only);
  } finally {
    await browser.close();
    await server.close();
    await store.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
