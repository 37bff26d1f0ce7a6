// The store calls as synchronous functions over one better-sqlite3 connection: the writer thread
// (thread.ts) answers every one of them, and the read-only connection (reader.ts) the reads.
import * as deploymentRuns from './deployment-runs.js';
import * as events from './events.js';
import * as insight from './insight.js';
import * as launches from './launches.js';
import * as meta from './meta.js';
import * as metrics from './metrics.js';
import * as outbox from './outbox.js';
import type { MethodTable } from './protocol.js';
import * as retention from './retention.js';
import * as runs from './runs.js';
import * as transcripts from './transcripts.js';

// One entry per call the thread answers (protocol.ts): the MethodTable type makes a missing, misspelled or
// mistyped entry a build error.
export const methods: MethodTable = {
  ping: meta.ping,
  insertEvents: events.insertEvents,
  addRejects: events.addRejects,
  listRejects: events.listRejects,
  getEvent: events.getEvent,
  listEvents: events.listEvents,
  countEvents: events.countEvents,
  claimEvents: events.claimEvents,
  finishEvent: events.finishEvent,
  requeueEvents: events.requeueEvents,
  getRun: runs.getRun,
  listRuns: runs.listRuns,
  countRuns: runs.countRuns,
  saveRun: runs.saveRun,
  runHistory: runs.runHistory,
  runsToReconcile: runs.runsToReconcile,
  markRunChecked: runs.markRunChecked,
  createLaunch: launches.createLaunch,
  updateLaunch: launches.updateLaunch,
  getLaunch: launches.getLaunch,
  listLaunches: launches.listLaunches,
  claimOutbox: outbox.claimOutbox,
  finishOutbox: outbox.finishOutbox,
  listOutbox: outbox.listOutbox,
  getOutbox: outbox.getOutbox,
  retryOutbox: outbox.retryOutbox,
  saveDeploymentRun: deploymentRuns.saveDeploymentRun,
  listDeploymentRuns: deploymentRuns.listDeploymentRuns,
  prune: retention.prune,
  metricCounts: metrics.metricCounts,
  runCells: insight.runCells,
  skippedSteps: insight.skippedSteps,
  getMeta: meta.getMeta,
  setMeta: meta.setMeta,
  tryLease: meta.tryLease,
  saveTranscript: transcripts.saveTranscript,
  getTranscript: transcripts.getTranscript,
  // the writer probes, asked for by test-support.ts only
  writerPragma: (db, name) => db.pragma(name, { simple: true }),
  stallWriter: (_db, ms) => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  },
};
