// What launch refuses before any platform call, and how the task becomes the first event.
import { describe, expect, it } from 'vitest';
import { parseMetadata } from '../../src/cli/launch.js';
import { AppError } from '../../src/errors.js';
import { MAX_RUBRIC_CHARS, taskEvent, validateLaunch } from '../../src/runs/launch.js';
import { agentDefinition, environmentDefinition } from '../../src/runs/resources.js';

const usage = (fn: () => void, text: RegExp) => {
  try {
    fn();
  } catch (err) {
    expect((err as AppError).code).toBe('usage');
    expect((err as AppError).message).toMatch(text);
    return;
  }
  throw new Error('expected a usage error');
};

describe('validateLaunch', () => {
  it('accepts a plain task and an outcome at the limits', () => {
    validateLaunch({ task: 't' });
    validateLaunch({ task: 't', outcome: 'x'.repeat(MAX_RUBRIC_CHARS), maxIterations: 20 });
    validateLaunch({ task: 't', outcome: 'r', maxIterations: 1 });
  });
  it('refuses an empty task', () => usage(() => validateLaunch({ task: '  ' }), /task is empty/));
  it('refuses a rubric over 262,144 characters', () =>
    usage(() => validateLaunch({ task: 't', outcome: 'x'.repeat(MAX_RUBRIC_CHARS + 1) }), /262144/));
  it('refuses an empty rubric', () =>
    usage(() => validateLaunch({ task: 't', outcome: ' ' }), /rubric is empty/));
  it('refuses max iterations outside 1..20 or without an outcome', () => {
    usage(() => validateLaunch({ task: 't', outcome: 'r', maxIterations: 0 }), /1 to 20/);
    usage(() => validateLaunch({ task: 't', outcome: 'r', maxIterations: 21 }), /1 to 20/);
    usage(() => validateLaunch({ task: 't', outcome: 'r', maxIterations: 2.5 }), /1 to 20/);
    usage(() => validateLaunch({ task: 't', maxIterations: 3 }), /only applies with --outcome/);
  });
  it('refuses metadata the platform would refuse, and the reserved key', () => {
    const many = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']));
    usage(() => validateLaunch({ task: 't', metadata: many }), /At most 15/);
    usage(() => validateLaunch({ task: 't', metadata: { ['k'.repeat(65)]: 'v' } }), /1 to 64/);
    usage(() => validateLaunch({ task: 't', metadata: { k: 'v'.repeat(513) } }), /512/);
    usage(() => validateLaunch({ task: 't', metadata: { agenthooks_launch: 'x' } }), /reserved/);
  });
});

describe('taskEvent', () => {
  it('a plain task is one user.message', () => {
    expect(taskEvent({ task: 'hello' })).toEqual({
      type: 'user.message',
      content: [{ type: 'text', text: 'hello' }],
    });
  });
  it('with a rubric it is one user.define_outcome, max_iterations defaulting to 3', () => {
    expect(taskEvent({ task: 'd', outcome: 'r' })).toEqual({
      type: 'user.define_outcome',
      description: 'd',
      rubric: { type: 'text', content: 'r' },
      max_iterations: 3,
    });
    expect(taskEvent({ task: 'd', outcome: 'r', maxIterations: 7 })).toMatchObject({ max_iterations: 7 });
  });
});

describe('--metadata parsing', () => {
  it('splits on the first =', () => {
    expect(parseMetadata(['a=1', 'b=x=y', 'c='])).toEqual({ a: '1', b: 'x=y', c: '' });
  });
  it('refuses a pair without a key', () => {
    expect(() => parseMetadata(['=v'])).toThrow(AppError);
    expect(() => parseMetadata(['novalue'])).toThrow(/key=value/);
  });
});

describe('agent and environment resolution', () => {
  const config = {
    path: '/x/agenthooks.yaml',
    agents: { writer: { model: 'm1', system: 's' } },
    environments: {},
    pipelines: {},
  };
  it('a configured agent, flags winning', () => {
    expect(agentDefinition(config, 'writer', {})).toMatchObject({ model: 'm1', system: 's' });
    expect(agentDefinition(config, 'writer', { model: 'm2' })).toMatchObject({ model: 'm2', system: 's' });
  });
  it('"default" is defined from flags', () => {
    expect(agentDefinition(config, 'default', {})).toMatchObject({
      model: 'claude-sonnet-4-6',
      system: null,
    });
  });
  it('an unknown agent without --model names the file and the defined agents', () => {
    expect(() => agentDefinition(config, 'reviewer', {})).toThrow(/reviewer.*agenthooks\.yaml.*writer/);
  });
  it('an unknown environment is refused; default is unrestricted', () => {
    expect(() => environmentDefinition(config, 'sandbox')).toThrow(/sandbox/);
    expect(environmentDefinition(config, 'default').networking).toBe('unrestricted');
  });
});
