// Pipelines from agenthooks.yaml: shape checked with zod, then the semantic rules a tree of steps
// must follow (agents exist, one parent that exists, no cycles, depth within max_depth, known
// template fields). Every problem is reported with file:line:col and the field path.
import { z } from 'zod';
import { AppError } from '../errors.js';
import { formatPath, type Locate, parseYamlWithPositions, type YamlPath } from './yaml-locate.js';

/** Stop reasons a final run can carry (DESIGN.md semantics 5); `terminated` stands for a terminated session. */
export const FINAL_STOP_REASONS = [
  'end_turn',
  'retries_exhausted',
  'refusal',
  'budget_reached',
  'terminated',
] as const;
/** Terminal outcome evaluation results. */
export const OUTCOME_RESULTS = ['satisfied', 'max_iterations_reached', 'failed', 'interrupted'] as const;
export const WHEN_KEYWORDS = ['success', 'failure', 'always'] as const;

export type When =
  | { kind: 'success' }
  | { kind: 'failure' }
  | { kind: 'always' }
  /** Met when the parent's stop reason or its terminal outcome result is one of the listed values. */
  | { kind: 'match'; stopReasons: string[]; outcomeResults: string[] };

export interface PipelineStep {
  name: string;
  agent: string;
  /** Environment name; null means the pipeline's, else `default`. */
  environment: string | null;
  prompt: string;
  after: string | null;
  when: When;
  /** Extra session metadata for this step's sessions (agenthooks_* keys are reserved). */
  metadata: Record<string, string>;
  /** 1 for a root step. */
  depth: number;
}

export interface Pipeline {
  name: string;
  maxDepth: number;
  /** Characters of the parent's output that `{{output}}` carries before truncating. */
  outputCap: number;
  environment: string | null;
  steps: PipelineStep[];
}

export const DEFAULT_MAX_DEPTH = 5;
export const DEFAULT_OUTPUT_CAP = 20_000;
export const RESERVED_METADATA_PREFIX = 'agenthooks_';
/** 16 platform pairs minus the five agenthooks tags (launch, chain, pipeline, step, parent). */
export const MAX_STEP_METADATA = 11;
export const TEMPLATE_FIELDS = ['task', 'output'] as const;
/** `{{ name }}` with optional spaces; anything else between braces is an error at load time. */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

// Names travel in session metadata (values up to 512 characters) and in URLs: keep them plain.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const nameMessage = 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';

const stringList = z.array(z.string({ error: 'must be a list of names' }), { error: 'must be a list' });

const whenSchema = z.union(
  [
    z.string(),
    z
      .array(z.string({ error: 'each entry must be a stop reason or an outcome result' }))
      .min(1, 'must not be empty'),
    z.strictObject({ stop_reasons: stringList.optional(), outcome_results: stringList.optional() }),
  ],
  {
    error:
      'must be success, failure, always, a list of stop reasons / outcome results, or {stop_reasons: [...], outcome_results: [...]}',
  },
);

const stepSchema = z.strictObject(
  {
    name: z.string({ error: 'is required: a name for the step' }).regex(NAME, nameMessage),
    agent: z.string({ error: 'is required: the name of an agent under agents:' }),
    environment: z.string({ error: 'must be the name of an environment' }).optional(),
    prompt: z
      .string({ error: 'is required: a template using {{task}} and, after a parent step, {{output}}' })
      .min(1, 'must not be empty'),
    after: z.string({ error: 'must be the name of one earlier step (a single parent)' }).optional(),
    when: whenSchema.optional(),
    metadata: z
      .record(
        z.string().min(1).max(64, 'keys are at most 64 characters'),
        z.string({ error: 'values must be text' }).max(512, 'values are at most 512 characters'),
        { error: 'must be a map of text keys to text values' },
      )
      .optional(),
  },
  { error: 'must be a map with name, agent, prompt and optionally after, when, environment, metadata' },
);

const pipelineSchema = z.strictObject(
  {
    max_depth: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1)
      .max(100)
      .optional(),
    output_cap: z
      .number({ error: 'must be a whole number of characters' })
      .int('must be a whole number of characters')
      .min(100, 'must be at least 100 characters')
      .max(1_000_000, 'must be at most 1,000,000 characters')
      .optional(),
    environment: z.string({ error: 'must be the name of an environment' }).optional(),
    steps: z
      .array(stepSchema, { error: 'is required: a list of steps' })
      .min(1, 'must list at least one step'),
  },
  { error: 'must be a map with steps (and optionally max_depth, output_cap, environment)' },
);

const pipelinesSchema = z.record(z.string(), pipelineSchema, {
  error: 'must be a map of pipeline names to pipelines',
});

export interface ValidateOptions {
  /** Agent names defined under `agents:`. */
  agents: ReadonlySet<string>;
  /** Environment names under `environments:`; `default` is always allowed (created on demand). */
  environments: ReadonlySet<string>;
  locate: Locate;
  /** Path of `pipelines` inside the document; ['pipelines'] for agenthooks.yaml. */
  basePath?: YamlPath;
}

interface Issue {
  path: YamlPath;
  message: string;
}

function parseWhen(raw: z.infer<typeof whenSchema> | undefined, path: YamlPath, issues: Issue[]): When {
  if (raw === undefined) return { kind: 'success' };
  if (typeof raw === 'string' && (WHEN_KEYWORDS as readonly string[]).includes(raw))
    return { kind: raw as (typeof WHEN_KEYWORDS)[number] };
  const stopReasons: string[] = [];
  const outcomeResults: string[] = [];
  const known = `stop reasons ${FINAL_STOP_REASONS.join(', ')}; outcome results ${OUTCOME_RESULTS.join(', ')}`;
  const sort = (value: string, at: YamlPath, only?: 'stop' | 'outcome') => {
    const isStop = (FINAL_STOP_REASONS as readonly string[]).includes(value);
    const isOutcome = (OUTCOME_RESULTS as readonly string[]).includes(value);
    if (isStop && only !== 'outcome') stopReasons.push(value);
    else if (isOutcome && only !== 'stop') outcomeResults.push(value);
    else if (value === 'requires_action')
      issues.push({
        path: at,
        message: 'requires_action is not a final outcome (the run is blocked); it cannot start a step',
      });
    else
      issues.push({
        path: at,
        message: `"${value}" is not ${only === 'stop' ? 'a stop reason' : only === 'outcome' ? 'an outcome result' : 'success, failure, always or a known value'} (known: ${known})`,
      });
  };
  if (typeof raw === 'string') sort(raw, path);
  else if (Array.isArray(raw))
    raw.forEach((v, i) => {
      sort(v, [...path, i]);
    });
  else {
    (raw.stop_reasons ?? []).forEach((v, i) => {
      sort(v, [...path, 'stop_reasons', i], 'stop');
    });
    (raw.outcome_results ?? []).forEach((v, i) => {
      sort(v, [...path, 'outcome_results', i], 'outcome');
    });
    if ((raw.stop_reasons ?? []).length + (raw.outcome_results ?? []).length === 0)
      issues.push({
        path,
        message: 'lists no stop reasons and no outcome results, so it could never be met',
      });
  }
  return { kind: 'match', stopReasons, outcomeResults };
}

function checkPrompt(prompt: string, isRoot: boolean, path: YamlPath, issues: Issue[]): void {
  for (const m of prompt.matchAll(PLACEHOLDER)) {
    const field = m[1];
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(field))
      issues.push({ path, message: `unknown placeholder {{${field}}}; use {{task}} or {{output}}` });
    else if (field === 'output' && isRoot)
      issues.push({ path, message: '{{output}} needs a parent step: add `after:` or remove {{output}}' });
  }
}

/** Validates the `pipelines:` section; throws AppError config_invalid listing every problem found. */
export function validatePipelines(raw: unknown, opts: ValidateOptions): Map<string, Pipeline> {
  const base = opts.basePath ?? ['pipelines'];
  const result = new Map<string, Pipeline>();
  if (raw === undefined || raw === null) return result;
  const issues: Issue[] = [];
  const parsed = pipelinesSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = [...base, ...(issue.path as Array<string | number>)];
      if (issue.code === 'unrecognized_keys')
        for (const key of issue.keys)
          issues.push({ path: [...path, key], message: `unknown field "${key}"` });
      else issues.push({ path, message: issue.message });
    }
    throw pipelineError(issues, opts.locate);
  }

  for (const [name, p] of Object.entries(parsed.data)) {
    const pPath = [...base, name];
    if (!NAME.test(name)) issues.push({ path: pPath, message: `pipeline name ${nameMessage}` });
    const maxDepth = p.max_depth ?? DEFAULT_MAX_DEPTH;
    const envOk = (env: string) => env === 'default' || opts.environments.has(env);
    if (p.environment !== undefined && !envOk(p.environment))
      issues.push({
        path: [...pPath, 'environment'],
        message: `no environment named "${p.environment}" under environments:`,
      });

    const byName = new Map<string, number>();
    p.steps.forEach((s, i) => {
      if (byName.has(s.name))
        issues.push({ path: [...pPath, 'steps', i, 'name'], message: `step "${s.name}" is defined twice` });
      else byName.set(s.name, i);
    });

    const steps: PipelineStep[] = p.steps.map((s, i) => {
      const sPath = [...pPath, 'steps', i];
      if (!opts.agents.has(s.agent))
        issues.push({
          path: [...sPath, 'agent'],
          message: `no agent named "${s.agent}" under agents: (defined: ${[...opts.agents].join(', ') || 'none'})`,
        });
      if (s.environment !== undefined && !envOk(s.environment))
        issues.push({
          path: [...sPath, 'environment'],
          message: `no environment named "${s.environment}" under environments:`,
        });
      if (s.after !== undefined) {
        if (s.after === s.name)
          issues.push({ path: [...sPath, 'after'], message: `step "${s.name}" cannot come after itself` });
        else if (!byName.has(s.after))
          issues.push({
            path: [...sPath, 'after'],
            message: `no step named "${s.after}" in pipeline ${name} (steps: ${[...byName.keys()].join(', ')})`,
          });
      }
      checkPrompt(s.prompt, s.after === undefined, [...sPath, 'prompt'], issues);
      const when = parseWhen(s.when, [...sPath, 'when'], issues);
      if (s.after === undefined && s.when !== undefined)
        issues.push({
          path: [...sPath, 'when'],
          message: 'a root step (no after:) always starts; when: needs after:',
        });
      const metadata = s.metadata ?? {};
      const reserved = Object.keys(metadata).filter((k) => k.startsWith(RESERVED_METADATA_PREFIX));
      if (reserved.length > 0)
        issues.push({
          path: [...sPath, 'metadata', reserved[0]],
          message: `keys starting with ${RESERVED_METADATA_PREFIX} are reserved`,
        });
      if (Object.keys(metadata).length > MAX_STEP_METADATA)
        issues.push({
          path: [...sPath, 'metadata'],
          message: `at most ${MAX_STEP_METADATA} pairs (the platform allows 16; agenthooks uses the rest)`,
        });
      return {
        name: s.name,
        agent: s.agent,
        metadata,
        environment: s.environment ?? p.environment ?? null,
        prompt: s.prompt,
        after: s.after ?? null,
        when,
        depth: 0,
      };
    });

    // Depth by walking up the single parent; a walk longer than the step count is a cycle.
    const stepByName = new Map(steps.map((s) => [s.name, s]));
    steps.forEach((s, i) => {
      let depth = 1;
      let cursor = s;
      const seen = new Set([s.name]);
      while (cursor.after !== null) {
        const parent = stepByName.get(cursor.after);
        if (!parent) return; // reported above
        if (seen.has(parent.name)) {
          issues.push({
            path: [...pPath, 'steps', i, 'after'],
            message: `steps form a cycle (${[...seen, parent.name].join(' -> ')}); a pipeline is a tree`,
          });
          return;
        }
        seen.add(parent.name);
        cursor = parent;
        depth += 1;
      }
      s.depth = depth;
      if (depth > maxDepth)
        issues.push({
          path: [...pPath, 'steps', i, 'after'],
          message: `step "${s.name}" is at depth ${depth}, deeper than max_depth ${maxDepth}`,
        });
    });
    if (steps.length > 0 && steps.every((s) => s.after !== null))
      issues.push({
        path: [...pPath, 'steps'],
        message: 'no root step: at least one step must have no after:',
      });

    result.set(name, {
      name,
      maxDepth,
      outputCap: p.output_cap ?? DEFAULT_OUTPUT_CAP,
      environment: p.environment ?? null,
      steps,
    });
  }
  if (issues.length > 0) throw pipelineError(issues, opts.locate);
  return result;
}

function pipelineError(issues: Issue[], locate: Locate): AppError {
  const shown = issues.slice(0, 20).map((i) => `${locate(i.path)}: ${formatPath(i.path)}: ${i.message}`);
  if (issues.length > shown.length) shown.push(`... and ${issues.length - shown.length} more`);
  return new AppError('config_invalid', `Invalid pipeline configuration:\n  ${shown.join('\n  ')}`, {
    details: {
      issues: issues.map((i) => ({ at: locate(i.path), field: formatPath(i.path), message: i.message })),
    },
  });
}

/** Parses a whole agenthooks.yaml text and validates its pipelines (used by tests and `chain` fallback). */
export function pipelinesFromYaml(text: string, file: string): Map<string, Pipeline> {
  const { doc, locate, errors } = parseYamlWithPositions(text, file);
  if (errors.length > 0)
    throw new AppError('config_invalid', `${file} is not valid YAML:\n  ${errors.join('\n  ')}`);
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  const names = (v: unknown) => new Set(v && typeof v === 'object' ? Object.keys(v) : []);
  return validatePipelines(data.pipelines, {
    agents: names(data.agents),
    environments: names(data.environments),
    locate,
  });
}

export function childSteps(pipeline: Pipeline, stepName: string): PipelineStep[] {
  return pipeline.steps.filter((s) => s.after === stepName);
}

export function rootSteps(pipeline: Pipeline): PipelineStep[] {
  return pipeline.steps.filter((s) => s.after === null);
}
