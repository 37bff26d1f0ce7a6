// What a launch intent holds: the whole request as given, before any platform call. Agents and
// environments are kept by name and definition (not by id), so writing the intent needs no API
// and a session made later by a sweep is the same as one made at once, tags included. Resolving
// names to ids happens when the launch is driven (src/runs/launch-drive.ts), and can be retried.
import type {
  AgentDefinition,
  CreateSessionRequest,
  EnsuredResource,
  EnvironmentDefinition,
  TaskEvent,
} from '../platform/types.js';
import type { Launch } from '../store/types.js';

export const LAUNCH_TAG = 'agenthooks_launch';

export interface LaunchSpec {
  v: 2;
  agent: { name: string; definition: AgentDefinition };
  environment: { name: string; definition: EnvironmentDefinition };
  initialEvents: TaskEvent[];
  /** Every metadata pair the session gets, the agenthooks_launch tag included. */
  metadata: Record<string, string>;
  title: string;
}

/**
 * A stored request: a spec (resolved when driven), or a request whose ids were resolved before the
 * intent was written (stores from before intents held specs).
 */
export type StoredRequest =
  | { kind: 'spec'; spec: LaunchSpec }
  | { kind: 'resolved'; request: CreateSessionRequest };

export function encodeSpec(spec: LaunchSpec): string {
  return JSON.stringify(spec);
}

export function decodeRequest(text: string): StoredRequest {
  const parsed = JSON.parse(text) as Partial<LaunchSpec> & Partial<CreateSessionRequest>;
  if (parsed.v === 2) return { kind: 'spec', spec: parsed as LaunchSpec };
  return { kind: 'resolved', request: parsed as CreateSessionRequest };
}

/** A new intent row: nothing resolved, nothing created yet. */
export function intentRow(o: {
  id: string;
  kind: Launch['kind'];
  pipeline: string | null;
  step: string | null;
  parentRunId: string | null;
  agentName: string;
  task: string;
  spec: LaunchSpec;
  now: number;
}): Launch {
  return {
    id: o.id,
    kind: o.kind,
    pipeline: o.pipeline,
    step: o.step,
    parentRunId: o.parentRunId,
    agentName: o.agentName,
    agentId: null,
    environmentId: null,
    task: o.task,
    request: encodeSpec(o.spec),
    state: 'intent',
    sessionId: null,
    error: null,
    createdAt: o.now,
    updatedAt: o.now,
  };
}

/** sessions.create's body for a spec whose agent and environment were resolved. */
export function sessionRequest(
  spec: LaunchSpec,
  agent: EnsuredResource,
  environment: EnsuredResource,
): CreateSessionRequest {
  return {
    agent: agent.version !== null ? { type: 'agent', id: agent.id, version: agent.version } : agent.id,
    environment_id: environment.id,
    initial_events: spec.initialEvents,
    metadata: spec.metadata,
    title: spec.title,
  };
}

/** The text a run shows as its task: the one user.message, or the outcome's description. */
export function promptText(events: readonly TaskEvent[] | undefined): string {
  const first = events?.[0];
  if (!first) return '';
  return first.type === 'user.message' ? first.content.map((c) => c.text).join('') : first.description;
}

/** A session title from a task: its first line, at most 80 characters. */
export function titleOf(task: string): string {
  const line = task.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
