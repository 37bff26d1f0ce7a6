// Human-readable numbers and times for the pages. Relative times are computed against the
// injected clock, so screenshots with a fixed clock are reproducible.
import { runStart } from '../query/runs.js';
import type { Run, RunUsage } from '../store/types.js';

/** "2026-11-27 03:12:45 UTC": readable and unambiguous. */
export function shortTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function ago(ms: number | null | undefined, now: number): string {
  if (ms === null || ms === undefined) return 'never';
  const d = now - ms;
  if (d < 0) return 'just now';
  if (d < 5_000) return 'just now';
  if (d < 60_000) return `${Math.round(d / 1000)} s ago`;
  if (d < 3_600_000) return `${Math.round(d / 60_000)} min ago`;
  if (d < 172_800_000) return `${Math.round(d / 3_600_000)} h ago`;
  return `${Math.round(d / 86_400_000)} d ago`;
}

export function cost(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '–';
  return `$${(cents / 100).toFixed(cents < 100 ? 3 : 2)}`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function tokens(usage: RunUsage | null): string {
  if (!usage) return '–';
  const total =
    usage.inputTokens + usage.outputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
  if (total >= 1_000_000) return `${(total / 1_000_000).toFixed(1)}M tok`;
  if (total >= 10_000) return `${Math.round(total / 1000)}k tok`;
  return `${count(total)} tok`;
}

/** How long the run took (or has been going): session creation (or first sight) to finish or now. */
export function runDuration(run: Run, now: number): number | null {
  const start = runStart(run);
  const end =
    run.finishedAt ?? (run.status === 'running' || run.status === 'pending' ? now : run.sessionUpdatedAt);
  return end === null ? null : end - start;
}

/** One line summary of the outcome: the evaluation result, else the stop reason. */
export function outcomeLabel(run: Run): string {
  if (run.outcomeResult) return run.outcomeResult.replace(/_/g, ' ');
  // An interrupt ends the turn with end_turn too; saying "end turn" would read as a normal finish.
  if (run.status === 'cancelled') return 'interrupted';
  if (run.stopReason) return run.stopReason.replace(/_/g, ' ');
  if (run.error) return 'error';
  return '';
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
