// agenthooks.yaml: shape, and errors that name the file, line and field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../src/config-file.js';
import { AppError } from '../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fails(text: string): AppError {
  try {
    parseConfigText(text, '/x/agenthooks.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('config_invalid');
    expect((err as AppError).exitCode).toBe(2);
    return err as AppError;
  }
  throw new Error('expected a config error');
}

describe('agenthooks.yaml', () => {
  it('parses the DESIGN.md example', () => {
    const c = parseConfigText(
      [
        'agents:',
        '  researcher: { model: claude-sonnet-4-6, system: "You research.", tools: [agent_toolset_20260401] }',
        '  writer: { model: claude-sonnet-4-6, system: "You write." }',
        'environments:',
        '  default: { networking: unrestricted }',
        'pipelines:',
        '  research-report:',
        '    max_depth: 5',
        '    steps:',
        '      - { name: research, agent: researcher, prompt: "{{task}}" }',
        '      - { name: report, agent: writer, after: research, when: success, prompt: "Write a report.\\n{{output}}" }',
      ].join('\n'),
      '/x/agenthooks.yaml',
    );
    expect(c.agents.researcher).toEqual({
      model: 'claude-sonnet-4-6',
      system: 'You research.',
      tools: ['agent_toolset_20260401'],
    });
    expect(c.environments.default?.networking).toBe('unrestricted');
    // Pipelines are validated by the chains engine (src/chains/pipeline.ts); here only that they load.
    expect(c.pipelines['research-report']?.steps[1]).toMatchObject({ name: 'report', after: 'research' });
  });

  it('an unknown field names its own line', () => {
    const e = fails('agents:\n  writer:\n    model: m\n    sytem: typo\n');
    expect(e.message).toContain('/x/agenthooks.yaml:4');
    expect(e.message).toContain('agents.writer.sytem');
  });

  it('a missing required field names the object line', () => {
    const e = fails('agents:\n  writer:\n    system: hi\n');
    expect(e.message).toMatch(/agenthooks\.yaml:3: agents\.writer\.model/);
  });

  it('a wrong type names the value line', () => {
    const e = fails('environments:\n  default:\n    networking: open\n');
    expect(e.message).toContain(':3:');
    expect(e.message).toContain('environments.default.networking');
  });

  it('a step without a prompt', () => {
    const e = fails('pipelines:\n  p:\n    steps:\n      - name: a\n        agent: x\n');
    expect(e.message).toContain('pipelines.p.steps[0].prompt');
    expect(e.message).toContain('agenthooks.yaml:4:');
  });

  it('invalid YAML gives line and column', () => {
    const e = fails('agents:\n  writer: { model: m\n');
    expect(e.message).toMatch(/agenthooks\.yaml:\d+:\d+: invalid YAML/);
  });

  it('--config that does not exist is an error; a missing ./agenthooks.yaml is not', () => {
    expect(() => loadConfigFile('nope.yaml', dir)).toThrow(/does not exist/);
    expect(loadConfigFile(undefined, dir)).toEqual({
      path: null,
      agents: {},
      environments: {},
      pipelines: {},
    });
  });

  it('./agenthooks.yaml is read when present', () => {
    writeFileSync(path.join(dir, 'agenthooks.yaml'), 'agents:\n  a: { model: m }\n');
    expect(loadConfigFile(undefined, dir).agents.a?.model).toBe('m');
  });
});
