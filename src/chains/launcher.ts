// Launching one pipeline step: the intent first, unique per (parent run, step) and holding the
// step's whole request (rendered prompt, agent and environment definitions from the chain record,
// chain tags), written under a lease taken before the row exists; then the same drive as every
// launch (src/runs/launch-drive.ts). No platform call happens before the intent is stored, so a
// fault while resolving agents or creating the session leaves an intent that a sweep finishes.

import {
  activityLease,
  type DriveDeps,
  type DriveResult,
  driveLaunch,
  type LeaseOptions,
  releaseLease,
  takeLease,
} from '../runs/launch-drive.js';
import { intentRow, type LaunchSpec, promptText } from '../runs/launch-spec.js';
import { agentDefinition, DEFAULT_ENVIRONMENT, environmentDefinition } from '../runs/resources.js';
import type { Launch, Run } from '../store/types.js';
import { noCrash } from '../test-hooks.js';
import { newBoundary, renderOutputBlock, renderPrompt } from './output-block.js';
import type { PipelineStep } from './pipeline.js';
import { type ChainRecord, recordConfig, TAGS } from './record.js';

export interface StepLaunchDeps extends DriveDeps {
  lease: LeaseOptions;
  /** How long retryable API failures are retried here before a sweep takes over; 0 = not. */
  retryForMs: number;
}

/** The step's request as given: no ids, so writing it needs no platform call. */
export function stepSpec(
  record: ChainRecord,
  step: PipelineStep,
  parent: Run | null,
  launchId: string,
): LaunchSpec {
  const config = recordConfig(record);
  const envName = step.environment ?? DEFAULT_ENVIRONMENT;
  const boundary = newBoundary();
  const prompt = renderPrompt(step.prompt, {
    task: record.task,
    output: () =>
      renderOutputBlock(parent?.output ?? null, {
        boundary,
        cap: record.pipeline.outputCap,
        fromStep: parent?.step ?? parent?.metadata[TAGS.step] ?? '?',
        fromRun: parent?.id ?? '?',
      }),
  });
  const metadata: Record<string, string> = {
    ...step.metadata,
    [TAGS.launch]: launchId,
    [TAGS.chain]: record.id,
    [TAGS.pipeline]: record.pipeline.name,
    [TAGS.step]: step.name,
  };
  if (parent) metadata[TAGS.parent] = parent.id;
  const firstLine = (record.task.trim().split('\n')[0] ?? '').slice(0, 60);
  return {
    v: 2,
    agent: { name: step.agent, definition: agentDefinition(config, step.agent, {}) },
    environment: { name: envName, definition: environmentDefinition(config, envName) },
    initialEvents: [{ type: 'user.message', content: [{ type: 'text', text: prompt }] }],
    metadata,
    title: `${record.pipeline.name}/${step.name}: ${firstLine}`,
  };
}

/** Writes the step's intent under a fresh lease; `created` false when (parent, step) had one already. */
export async function writeStepIntent(
  deps: StepLaunchDeps,
  record: ChainRecord,
  step: PipelineStep,
  parent: Run | null,
  launchId: string,
): Promise<{ launch: Launch; created: boolean }> {
  const spec = stepSpec(record, step, parent, launchId);
  if (!(await takeLease(deps, launchId, stepLease(deps, launchId))))
    throw new Error(`lease for the new launch ${launchId} is taken; launch ids must be unique`);
  const written = await deps.store.createLaunch(
    intentRow({
      id: launchId,
      kind: 'chain',
      pipeline: record.pipeline.name,
      step: step.name,
      parentRunId: parent?.id ?? null,
      agentName: step.agent,
      task: promptText(spec.initialEvents),
      spec,
      now: deps.clock.now(),
    }),
  );
  // Someone decided this (parent, step) first: drop our unused lease; the caller looks at theirs.
  if (!written.created) await releaseLease(deps, launchId, stepLease(deps, launchId));
  // Test-only: the intent is stored, the platform has not been called.
  else (deps.crash ?? noCrash)('after-intent');
  return written;
}

/** Drives an intent this process just wrote (it holds the lease). */
export function driveNewIntent(deps: StepLaunchDeps, launch: Launch): Promise<DriveResult> {
  return driveLaunch(deps, launch, {
    ...stepLease(deps, launch.id),
    mode: 'fresh',
    retryForMs: deps.retryForMs,
  });
}

/** The owner that writes a new intent and drives it: this launch's own activity (see activityLease). */
function stepLease(deps: StepLaunchDeps, launchId: string): LeaseOptions {
  return activityLease(deps.lease, launchId);
}
