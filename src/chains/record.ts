// One started pipeline ("chain"): the validated pipeline, the agent and environment definitions it
// uses, and the task, frozen in the store when `agenthooks chain` starts it. The worker decides the
// next steps from this record, so every step of one chain follows the same definition even if
// agenthooks.yaml is edited meanwhile, and `serve` needs no copy of the config file.
import type { AgentConfig, ConfigFile, EnvironmentConfig } from '../config-file.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/types.js';
import type { Pipeline } from './pipeline.js';

export interface ChainRecord {
  /** `chn_...`; also the sessions' `metadata.agenthooks_chain`. */
  id: string;
  pipeline: Pipeline;
  agents: Record<string, AgentConfig>;
  environments: Record<string, EnvironmentConfig>;
  task: string;
  createdAt: number;
  /** Root steps and the launch id each was (or will be) launched with. */
  roots: Array<{ step: string; launchId: string }>;
}

export const CHAIN_KEY_PREFIX = 'chain:';
/** JSON list of the pipeline names ever started: what the sweep looks up runs by. */
export const PIPELINE_INDEX_KEY = 'chains.pipelines';

/** Session metadata keys agenthooks sets on chain sessions. */
export const TAGS = {
  launch: 'agenthooks_launch',
  chain: 'agenthooks_chain',
  pipeline: 'agenthooks_pipeline',
  step: 'agenthooks_step',
  parent: 'agenthooks_parent',
} as const;

/** The config a ChainRecord carries, in the shape runs/resources.ts reads definitions from. */
export function recordConfig(record: ChainRecord): ConfigFile {
  return {
    path: `chain ${record.id}`,
    agents: record.agents,
    environments: record.environments,
    pipelines: {},
  };
}

export function buildRecord(
  id: string,
  config: ConfigFile,
  pipelineName: string,
  task: string,
  now: number,
  newLaunchId: () => string,
): ChainRecord {
  const pipeline = config.pipelines[pipelineName];
  if (!pipeline) {
    const known = Object.keys(config.pipelines);
    throw new AppError(
      'usage',
      `No pipeline named "${pipelineName}" in ${config.path ?? './agenthooks.yaml (none found; pass --config)'}${known.length ? ` (defined: ${known.join(', ')})` : ''}.`,
    );
  }
  const agents: Record<string, AgentConfig> = {};
  const environments: Record<string, EnvironmentConfig> = {};
  for (const step of pipeline.steps) {
    agents[step.agent] = config.agents[step.agent]!;
    const env = step.environment ?? 'default';
    if (config.environments[env]) environments[env] = config.environments[env];
  }
  return {
    id,
    pipeline,
    agents,
    environments,
    task,
    createdAt: now,
    roots: pipeline.steps
      .filter((s) => s.after === null)
      .map((s) => ({ step: s.name, launchId: newLaunchId() })),
  };
}

export async function saveRecord(store: Store, record: ChainRecord): Promise<void> {
  await store.setMeta(`${CHAIN_KEY_PREFIX}${record.id}`, JSON.stringify(record));
  // Read-modify-write of a small list: re-read after writing until our name is in, so two chains
  // of different new pipelines started at once cannot drop each other's name.
  for (let attempt = 0; attempt < 10; attempt++) {
    const names = await pipelineNames(store);
    if (names.includes(record.pipeline.name)) return;
    await store.setMeta(PIPELINE_INDEX_KEY, JSON.stringify([...names, record.pipeline.name].sort()));
  }
}

export async function pipelineNames(store: Store): Promise<string[]> {
  const raw = await store.getMeta(PIPELINE_INDEX_KEY);
  if (!raw) return [];
  try {
    const v = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Cached reads: a record never changes once written. */
export class RecordCache {
  private readonly cache = new Map<string, ChainRecord>();
  constructor(private readonly store: Store) {}

  async get(id: string): Promise<ChainRecord | null> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const raw = await this.store.getMeta(`${CHAIN_KEY_PREFIX}${id}`);
    if (!raw) return null;
    const record = JSON.parse(raw) as ChainRecord;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, record);
    return record;
  }
}
