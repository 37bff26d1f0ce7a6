// Turns: a session plays one scripted turn at a time. A turn starts on a user.message or a
// user.define_outcome (or resumes on a tool confirmation), plays its script's steps on timers
// spread over the session's duration, and ends idle; what arrives meanwhile waits in the queue.
// Every simulated delay is multiplied by timeScale.
import { type Emission, type StopDetails, type StopReason, textOf } from './emission.js';
import type { Scenario, Timers } from './options.js';
import { script } from './scripts.js';
import { outcomeDone, type SessionRecord, type SimState } from './state.js';

export interface TurnDeps {
  state: SimState;
  timers: Timers;
  timeScale: number;
  emit: Emission;
}

export class Turns {
  constructor(private readonly d: TurnDeps) {}

  start(rec: SessionRecord, triggerId: string, scenarioOverride?: Scenario): void {
    const { emit } = this.d;
    rec.turn += 1;
    const turn = rec.turn;
    const trigger = rec.events.find((e) => e.event.id === triggerId)?.event;
    if (trigger?.type === 'user.message') rec.task = textOf(trigger.content);
    emit.status(rec, 'running');
    if (rec.outcome && rec.session.outcome_evaluations[rec.outcome.index].result === 'pending') {
      rec.session.outcome_evaluations[rec.outcome.index].result = 'running';
      emit.touch(rec);
    }
    const steps = script(scenarioOverride ?? rec.scenario, {
      rec,
      emit,
      outcome: outcomeDone(rec) ? null : rec.outcome,
      stop: (reason, details) => this.end(rec, reason, details),
    });
    const gap = (rec.durationMs * this.d.timeScale) / steps.length;
    // Each step schedules the next one: timers of different lengths can fire out of order on a
    // loaded event loop, and a session's events must keep the platform's order.
    const runFrom = (i: number): void => {
      if (i >= steps.length) return;
      const handle = this.d.timers.setTimeout(() => {
        rec.timers.delete(handle);
        // A stale step (interrupted turn, deleted session) must not touch the new state.
        if (rec.turn !== turn || !this.d.state.sessions.has(rec.session.id)) return;
        steps[i]();
        runFrom(i + 1);
      }, gap);
      rec.timers.add(handle);
    };
    runFrom(0);
  }

  /** The session goes idle; the next queued event, if any, starts the next turn. */
  end(rec: SessionRecord, reason: StopReason, details: StopDetails = null): void {
    this.d.emit.idle(rec, reason, details);
    const next = rec.queue.shift();
    if (next) {
      const stored = rec.events.find((e) => e.event.id === next.id);
      if (stored && stored.event.processed_at === null) this.d.emit.processQueued(rec, stored);
      this.start(rec, next.id);
    }
  }

  /** Drops the turn under way: its pending steps never run. */
  cancel(rec: SessionRecord): void {
    rec.turn += 1;
    for (const h of rec.timers) this.d.timers.clearTimeout(h);
    rec.timers.clear();
  }
}
