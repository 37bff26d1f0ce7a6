// agenthooks.yaml: agents, environments and pipelines (DESIGN.md "Config file"). Errors name the
// file, the line and the field, read from the yaml package's node ranges, so a typo is one look away.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { type Pipeline, validatePipelines } from './chains/pipeline.js';
import { locator } from './chains/yaml-locate.js';
import { AppError } from './errors.js';
import { type NotifyTarget, parseNotifyTargets } from './notify/targets.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, _ . - (at most 64)');

const agentSchema = z
  .object({
    model: z.string().min(1, 'model is required, e.g. claude-sonnet-4-6'),
    system: z.string().optional(),
    description: z.string().optional(),
    tools: z.array(z.string().min(1)).max(256).optional(),
  })
  .strict();

const environmentSchema = z
  .object({
    networking: z.enum(['unrestricted', 'limited']).optional(),
    allowed_hosts: z.array(z.string().min(1)).optional(),
    description: z.string().optional(),
  })
  .strict();

// Pipelines are checked by the chains engine (src/chains/pipeline.ts): tree rules, `when` values and
// template fields need the agents and environments known, and its errors carry line and column.
const fileSchema = z
  .object({
    agents: z.record(name, agentSchema).optional(),
    environments: z.record(name, environmentSchema).optional(),
    pipelines: z.unknown().optional(),
    // Checked by src/notify/targets.ts.
    notify: z.unknown().optional(),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type { Pipeline as PipelineConfig, PipelineStep as StepConfig } from './chains/pipeline.js';

export interface ConfigFile {
  /** Absolute path, or null when no file was given and ./agenthooks.yaml does not exist. */
  path: string | null;
  agents: Record<string, AgentConfig>;
  environments: Record<string, EnvironmentConfig>;
  /** Validated pipelines, by name. */
  pipelines: Record<string, Pipeline>;
  /** `notify:` targets (src/notify); absent = none. */
  notify?: NotifyTarget[];
}

export const DEFAULT_CONFIG_FILE = 'agenthooks.yaml';

/** --config, else ./agenthooks.yaml when present, else an empty config. */
export function loadConfigFile(file: string | undefined, cwd: string): ConfigFile {
  const abs = file !== undefined ? path.resolve(cwd, file) : path.resolve(cwd, DEFAULT_CONFIG_FILE);
  if (!existsSync(abs)) {
    if (file !== undefined)
      throw new AppError('config_invalid', `Config file ${abs} does not exist: check --config.`);
    return { path: null, agents: {}, environments: {}, pipelines: {} };
  }
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new AppError('config_invalid', `Cannot read config file ${abs}: ${(err as Error).message}.`, {
      cause: err,
    });
  }
  return parseConfigText(text, abs);
}

export function parseConfigText(text: string, file: string): ConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new AppError(
      'config_invalid',
      `${file}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split('\n')[0]}`,
      {
        details: { file, line: pos.line, column: pos.col },
      },
    );
  }
  const data = doc.toJS() ?? {};
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    // For an unknown key, point at the key itself; otherwise at the deepest node that exists.
    const unknown = issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys?.[0] : undefined;
    const target = unknown !== undefined ? [...keys, unknown] : keys;
    const line = lineOf(doc, target, lineCounter, unknown !== undefined);
    const field = target.length > 0 ? target.join('.') : '(top level)';
    const message = unknown !== undefined ? `unknown field "${unknown}"` : issue.message;
    throw new AppError('config_invalid', `${file}:${line}: ${field}: ${message}`, {
      details: { file, line, field },
    });
  }
  const agents = parsed.data.agents ?? {};
  const environments = parsed.data.environments ?? {};
  const pipelines = validatePipelines(parsed.data.pipelines, {
    agents: new Set(Object.keys(agents)),
    environments: new Set(Object.keys(environments)),
    locate: locator(doc, lineCounter, file),
  });
  const notify = parseNotifyTargets(parsed.data.notify, file);
  return { path: file, agents, environments, pipelines: Object.fromEntries(pipelines), notify };
}

function lineOf(
  doc: ReturnType<typeof parseDocument>,
  target: Array<string | number>,
  lc: LineCounter,
  wantKey: boolean,
): number {
  for (let n = target.length; n >= 0; n--) {
    const p = target.slice(0, n);
    if (wantKey && n === target.length && n > 0) {
      // The pair's key node carries the key's own position.
      const parent = p.length > 1 ? doc.getIn(p.slice(0, -1), true) : doc.contents;
      const items = (parent as { items?: Array<{ key?: unknown }> } | null)?.items;
      const pair = items?.find(
        (it) => isNode(it.key) && (it.key as { value?: unknown }).value === p[p.length - 1],
      );
      const range = pair && isNode(pair.key) ? pair.key.range : undefined;
      if (range) return lc.linePos(range[0]).line;
      continue;
    }
    const node = p.length === 0 ? doc.contents : doc.getIn(p, true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return 1;
}
