// What a blocked run waits for, and the exact commands that answer it: the same words wherever the
// CLI meets a blocked run (runs show, launch, cancel, respond, send). A blocked run has not ended.
import type { PendingToolUse } from '../platform/types.js';

/** Inputs are shown on one line, cut to this many characters. */
const INPUT_SHOWN = 80;

export function shortInput(input: Record<string, unknown> | null): string {
  if (input === null) return '';
  const text = JSON.stringify(input);
  return text.length > INPUT_SHOWN ? `${text.slice(0, INPUT_SHOWN - 1)}…` : text;
}

export function respondHint(runId: string): string {
  return `npx agenthooks respond ${runId} --allow   (or --deny --message "why")`;
}

/** Lines telling what the run waits for; `pending` null when the platform was not asked. */
export function waitingLines(runId: string, pending: PendingToolUse[] | null): string[] {
  const lines: string[] = [];
  if (pending === null || pending.length === 0) {
    lines.push(`${runId} is waiting for a tool confirmation (requires_action).`);
  } else {
    lines.push(
      `${runId} is waiting for confirmation of ${pending.length === 1 ? 'a tool call' : `${pending.length} tool calls`}:`,
    );
    for (const p of pending)
      lines.push(`  ${p.name ?? '(unknown tool)'} ${shortInput(p.input)}  [${p.eventId}]`);
  }
  lines.push(`answer with: ${respondHint(runId)}`);
  return lines;
}
