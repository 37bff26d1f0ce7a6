// `agenthooks import FILE`: our export format ({kind:'run'|'history'|'event'} lines) and the
// tutorial's agent_outcomes.jsonl, told apart line by line. Everything is keyed by stable ids
// (event ids, run ids, tutorial_<sha256 of the line>), so importing a file twice adds nothing.
// Bad lines are reported by number and skipped; the rest is imported.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { emptyRun } from '../runs/state.js';
import type { NewEvent, Run, RunHistoryEntry, Store, StoredEvent } from '../store/types.js';
import { isRecord, parseTutorialLine } from './tutorial.js';
import { checkEvent, checkHistory, checkRun } from './validate.js';

export interface ImportReport {
  runs: number;
  runsExisting: number;
  history: number;
  events: number;
  eventsExisting: number;
  tutorialLines: number;
  tutorialExisting: number;
  bad: Array<{ line: number; reason: string }>;
}

const EVENT_BATCH = 500;
/** A history line without a turn is from the turn a new run starts at. */
const FIRST_TURN = emptyRun('', 0).turn;

/** Stored states to what insertEvents accepts: finished work stays finished, unfinished stays to do. */
function importedState(state: StoredEvent['state']): NewEvent['state'] {
  if (state === 'ignored') return 'ignored';
  if (state === 'done' || state === 'failed') return 'done';
  return 'pending';
}

function toNewEvent(o: Record<string, unknown>): NewEvent {
  const e = checkEvent(o);
  // checkEvent keeps exactly the event fields (id, type, times, subject, thread, raw, state).
  return {
    ...e,
    subjectId: e.subjectId ?? null,
    threadId: e.threadId ?? null,
    // A pruned event keeps its id (dedupe) and no body; the column is nullable for exactly this.
    raw: e.raw ?? (null as unknown as string),
    state: importedState(e.state),
  };
}

function toRun(o: Record<string, unknown>): Run {
  const r = checkRun(o);
  // Fields an older export lacks take the values a new run starts with.
  return { ...emptyRun(r.id, r.firstSeenAt), ...(r as Partial<Run>), version: 0 };
}

function toHistory(o: Record<string, unknown>): RunHistoryEntry {
  return {
    sessionStatus: null,
    stopReason: null,
    outcomeResult: null,
    turn: FIRST_TURN,
    snapshotKey: null,
    note: null,
    ...(checkHistory(o) as Partial<RunHistoryEntry>),
  } as RunHistoryEntry;
}

export async function importFile(store: Store, file: string, now: () => number): Promise<ImportReport> {
  const report: ImportReport = {
    runs: 0,
    runsExisting: 0,
    history: 0,
    events: 0,
    eventsExisting: 0,
    tutorialLines: 0,
    tutorialExisting: 0,
    bad: [],
  };
  const runs = new Map<string, { run: Run; line: number }>();
  const history = new Map<string, Array<RunHistoryEntry & { line: number }>>();
  let batch: NewEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    for (const r of await store.insertEvents(batch)) {
      if (r.duplicate) report.eventsExisting += 1;
      else report.events += 1;
    }
    batch = [];
  };

  const lines = createInterface({
    input: createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const rawLine of lines) {
    n += 1;
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') continue;
    try {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        throw new Error('not valid JSON');
      }
      if (!isRecord(obj)) throw new Error('not a JSON object');
      if (obj.kind === 'event') {
        batch.push(toNewEvent(obj));
        if (batch.length >= EVENT_BATCH) await flush();
      } else if (obj.kind === 'run') {
        const run = toRun(obj);
        runs.set(run.id, { run, line: n });
      } else if (obj.kind === 'history') {
        const h = toHistory(obj);
        const list = history.get(h.runId) ?? [];
        list.push({ ...h, line: n });
        history.set(h.runId, list);
      } else if (obj.kind !== undefined) {
        throw new Error(`unknown kind ${JSON.stringify(obj.kind)} (expected run, history or event)`);
      } else {
        await importTutorialLine(store, line, obj, now(), report);
      }
    } catch (err) {
      report.bad.push({ line: n, reason: (err as Error).message });
    }
  }
  await flush();

  for (const [id, list] of history) {
    if (!runs.has(id))
      for (const h of list)
        report.bad.push({ line: h.line, reason: `history for run ${id}, which is not in the file` });
  }
  for (const { run } of runs.values()) {
    const entries = (history.get(run.id) ?? []).sort((a, b) => a.seq - b.seq);
    // saveRun appends one history entry per save: the first save inserts the run (or finds it
    // already there), each further one appends the next entry in order.
    const [first, ...others] = entries;
    const created = await store.saveRun({
      run,
      expectedVersion: 0,
      history: first ? historyOf(first) : null,
    });
    if (!created) {
      report.runsExisting += 1;
      continue;
    }
    report.runs += 1;
    report.history += first ? 1 : 0;
    let version = 1;
    for (const h of others) {
      if (!(await store.saveRun({ run, expectedVersion: version, history: historyOf(h) }))) break;
      version += 1;
      report.history += 1;
    }
  }
  report.bad.sort((a, b) => a.line - b.line);
  return report;
}

function historyOf(h: RunHistoryEntry): Omit<RunHistoryEntry, 'runId' | 'seq'> {
  return {
    at: h.at,
    source: h.source,
    status: h.status,
    sessionStatus: h.sessionStatus,
    stopReason: h.stopReason,
    outcomeResult: h.outcomeResult,
    turn: h.turn,
    snapshotKey: h.snapshotKey,
    note: h.note,
  };
}

async function importTutorialLine(
  store: Store,
  line: string,
  obj: Record<string, unknown>,
  now: number,
  report: ImportReport,
): Promise<void> {
  const { run, event } = parseTutorialLine(line, obj, now);
  if (await store.getEvent(event.id)) {
    report.tutorialExisting += 1;
    return;
  }
  const history = {
    at: now,
    source: 'import',
    status: run.status,
    sessionStatus: null,
    stopReason: run.stopReason,
    outcomeResult: null,
    turn: run.turn,
    snapshotKey: null,
    note: `tutorial line ${event.id}`,
  };
  // The run first, then the event that marks the line as imported: a crash in between leaves the
  // line to be imported again, never a marked line without its run.
  const existing = await store.getRun(run.id);
  if (!existing) {
    await store.saveRun({ run, expectedVersion: 0, history });
  } else if (existing.launchedBy === 'tutorial-import') {
    // A later line about the same run (e.g. "running" then "completed") updates it, in file order.
    await store.saveRun({
      run: { ...run, firstSeenAt: existing.firstSeenAt, version: existing.version },
      expectedVersion: existing.version,
      history,
    });
  }
  await store.insertEvents([event]);
  report.tutorialLines += 1;
}
