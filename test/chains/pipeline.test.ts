import { describe, expect, it } from 'vitest';
import { childSteps, pipelinesFromYaml, rootSteps } from '../../src/chains/pipeline.js';
import { isAppError } from '../../src/errors.js';

const HEAD = `agents:
  researcher: { model: claude-sonnet-4-6, system: "You research." }
  writer: { model: claude-sonnet-4-6, system: "You write." }
environments:
  default: { networking: unrestricted }
pipelines:
`;

function errorOf(yaml: string): string {
  try {
    pipelinesFromYaml(HEAD + yaml, 'agenthooks.yaml');
  } catch (err) {
    if (isAppError(err, 'config_invalid')) return err.message;
    throw err;
  }
  throw new Error('expected a config_invalid error');
}

describe('pipeline validation', () => {
  it('accepts the DESIGN.md example with defaults filled in', () => {
    const p = pipelinesFromYaml(
      `${HEAD}  research-report:
    max_depth: 5
    steps:
      - { name: research, agent: researcher, prompt: "{{task}}" }
      - { name: report, agent: writer, after: research, when: success, prompt: "Write a report.\\n{{output}}" }
      - { name: triage, agent: writer, after: research, when: [retries_exhausted, refusal, failed], prompt: "{{ task }} failed" }
      - { name: always, agent: writer, after: report, when: always, prompt: "{{output}}" }
`,
      'agenthooks.yaml',
    );
    const rr = p.get('research-report')!;
    expect(rr.maxDepth).toBe(5);
    expect(rr.outputCap).toBe(20_000);
    expect(rootSteps(rr).map((s) => s.name)).toEqual(['research']);
    expect(childSteps(rr, 'research').map((s) => s.name)).toEqual(['report', 'triage']);
    expect(rr.steps.map((s) => s.depth)).toEqual([1, 2, 2, 3]);
    expect(rr.steps[1].when).toEqual({ kind: 'success' });
    expect(rr.steps[2].when).toEqual({
      kind: 'match',
      stopReasons: ['retries_exhausted', 'refusal'],
      outcomeResults: ['failed'],
    });
  });

  it('defaults when to success and accepts the object form and output_cap', () => {
    const p = pipelinesFromYaml(
      `${HEAD}  p:
    output_cap: 500
    steps:
      - { name: a, agent: researcher, prompt: "{{task}}" }
      - { name: b, agent: writer, after: a, prompt: "{{output}}" }
      - name: c
        agent: writer
        after: a
        when: { stop_reasons: [terminated], outcome_results: [max_iterations_reached] }
        prompt: x
`,
      'agenthooks.yaml',
    ).get('p')!;
    expect(p.outputCap).toBe(500);
    expect(p.steps[1].when).toEqual({ kind: 'success' });
    expect(p.steps[2].when).toEqual({
      kind: 'match',
      stopReasons: ['terminated'],
      outcomeResults: ['max_iterations_reached'],
    });
  });

  it('points at file, line and field for an unknown agent', () => {
    const msg = errorOf(`  p:
    steps:
      - { name: a, agent: researcher, prompt: "{{task}}" }
      - name: b
        agent: editor
        after: a
        prompt: "{{output}}"
`);
    expect(msg).toContain('agenthooks.yaml:11:16: pipelines.p.steps[1].agent: no agent named "editor"');
  });

  it('rejects a missing parent, a cycle and a self reference with their lines', () => {
    expect(
      errorOf(`  p:
    steps:
      - { name: a, agent: researcher, prompt: x }
      - { name: b, agent: writer, after: reserch, prompt: x }
`),
    ).toMatch(
      /agenthooks\.yaml:10:\d+: pipelines\.p\.steps\[1\]\.after: no step named "reserch" in pipeline p \(steps: a, b\)/,
    );
    const cycle = errorOf(`  p:
    steps:
      - { name: root, agent: researcher, prompt: x }
      - { name: a, agent: writer, after: b, prompt: x }
      - { name: b, agent: writer, after: a, prompt: x }
`);
    expect(cycle).toContain('pipelines.p.steps[1].after: steps form a cycle (a -> b -> a)');
    expect(cycle).toMatch(/agenthooks\.yaml:10:\d+/);
    expect(
      errorOf(`  p:
    steps:
      - { name: a, agent: researcher, prompt: x, after: a }
`),
    ).toContain('cannot come after itself');
  });

  it('rejects depth beyond max_depth, duplicate names and a pipeline with no root', () => {
    expect(
      errorOf(`  p:
    max_depth: 2
    steps:
      - { name: a, agent: researcher, prompt: x }
      - { name: b, agent: writer, after: a, prompt: x }
      - { name: c, agent: writer, after: b, prompt: x }
`),
    ).toContain('step "c" is at depth 3, deeper than max_depth 2');
    expect(
      errorOf(`  p:
    steps:
      - { name: a, agent: researcher, prompt: x }
      - { name: a, agent: writer, prompt: x }
`),
    ).toContain('pipelines.p.steps[1].name: step "a" is defined twice');
  });

  it('rejects unknown fields, bad when values, bad placeholders and {{output}} in a root', () => {
    const msg = errorOf(`  p:
    steps:
      - { name: a, agent: researcher, prompt: "{{output}} {{taks}}", retries: 3 }
      - { name: b, agent: writer, after: a, when: [end_turn, requires_action, sucess], prompt: x }
      - { name: c, agent: writer, after: a, when: {}, prompt: x }
`);
    expect(msg).toContain('pipelines.p.steps[0].retries: unknown field "retries"');
    const msg2 = errorOf(`  p:
    steps:
      - { name: a, agent: researcher, prompt: "{{output}} {{taks}}" }
      - { name: b, agent: writer, after: a, when: [end_turn, requires_action, sucess], prompt: x }
      - { name: c, agent: writer, after: a, when: {}, prompt: x }
`);
    expect(msg2).toContain('pipelines.p.steps[0].prompt: {{output}} needs a parent step');
    expect(msg2).toContain('pipelines.p.steps[0].prompt: unknown placeholder {{taks}}');
    expect(msg2).toContain('pipelines.p.steps[1].when[1]: requires_action is not a final outcome');
    expect(msg2).toMatch(/agenthooks\.yaml:10:\d+: pipelines\.p\.steps\[1\]\.when\[2\]: "sucess" is not/);
    expect(msg2).toContain('pipelines.p.steps[2].when: lists no stop reasons and no outcome results');
  });

  it('rejects wrong shapes with the field named', () => {
    expect(errorOf(`  p: { steps: [] }\n`)).toContain('pipelines.p.steps: must list at least one step');
    expect(errorOf(`  p:\n    steps:\n      - { name: a, prompt: x }\n`)).toContain(
      'pipelines.p.steps[0].agent: is required',
    );
    expect(errorOf(`  p: { max_depth: 0, steps: [{ name: a, agent: writer, prompt: x }] }\n`)).toContain(
      'pipelines.p.max_depth',
    );
    expect(errorOf(`  p: { steps: [{ name: "bad name", agent: writer, prompt: x }] }\n`)).toContain(
      'pipelines.p.steps[0].name: must be 1-64 letters',
    );
  });
});

describe('agenthooks.yaml loading validates pipelines', () => {
  it('loadConfigFile reports pipeline errors with file, line and field, and returns validated pipelines', async () => {
    const { parseConfigText } = await import('../../src/config-file.js');
    const ok = parseConfigText(
      `${HEAD}  p:\n    steps:\n      - { name: a, agent: researcher, prompt: "{{task}}" }\n      - { name: b, agent: writer, after: a, when: [refusal], prompt: "{{output}}" }\n`,
      '/srv/agenthooks.yaml',
    );
    expect(ok.pipelines.p.steps[1]).toMatchObject({
      after: 'a',
      depth: 2,
      when: { kind: 'match', stopReasons: ['refusal'] },
    });
    expect(() =>
      parseConfigText(
        `${HEAD}  p:\n    steps:\n      - { name: a, agent: ghost, prompt: x }\n`,
        '/srv/agenthooks.yaml',
      ),
    ).toThrow(/\/srv\/agenthooks\.yaml:9:\d+: pipelines\.p\.steps\[0\]\.agent: no agent named "ghost"/);
  });
});
