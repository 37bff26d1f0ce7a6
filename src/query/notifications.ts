// One notification as the CLI, the API and the dashboard show it: the outbox row plus what its
// payload says (run id and status), never the signing secret.
import type { OutboxMessage } from '../store/types.js';

export interface NotificationView {
  id: string;
  target: string;
  url: string;
  state: OutboxMessage['state'];
  attempts: number;
  createdAt: number;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  lastError: string | null;
  runId: string | null;
  runStatus: string | null;
}

export function summarizeNotification(m: OutboxMessage): NotificationView {
  let runId: string | null = null;
  let runStatus: string | null = null;
  try {
    const data = (JSON.parse(m.payload) as { data?: { id?: unknown; status?: unknown } }).data;
    runId = typeof data?.id === 'string' ? data.id : null;
    runStatus = typeof data?.status === 'string' ? data.status : null;
  } catch {
    // A payload is always JSON written by agenthooks; an unreadable one just shows no run.
  }
  return {
    id: m.id,
    target: m.target,
    url: m.url,
    state: m.state,
    attempts: m.attempts,
    createdAt: m.createdAt,
    nextAttemptAt: m.state === 'pending' ? m.nextAttemptAt : null,
    deliveredAt: m.deliveredAt,
    lastError: m.lastError,
    runId,
    runStatus,
  };
}
