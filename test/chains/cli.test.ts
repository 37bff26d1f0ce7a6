// `agenthooks chain` usage and config errors: exit 2 with a message that says what to fix.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChainEnv, cli, PIPELINES_YAML } from './helpers.js';

describe('agenthooks chain: usage and config errors', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'agenthooks-chain-cli-'));
  writeFileSync(path.join(dir, 'agenthooks.yaml'), PIPELINES_YAML);
  writeFileSync(
    path.join(dir, 'bad.yaml'),
    `agents:\n  a: { model: m }\npipelines:\n  p:\n    steps:\n      - { name: x, agent: a, prompt: "{{task}}" }\n      - { name: y, agent: b, after: x, prompt: "{{output}}" }\n`,
  );
  const e = {
    dir,
    env: {
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      DATABASE_URL: path.join(dir, 'db.sqlite'),
    },
  } as unknown as ChainEnv;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an unknown pipeline names the defined ones', async () => {
    const r = await cli(e, ['chain', 'nope', 'task']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No pipeline named "nope"');
    expect(r.stderr).toContain('defined: three, broken, fanout');
  });

  it('an invalid pipeline points at the file, line and field', async () => {
    const r = await cli(e, ['chain', 'p', 'task', '--config', 'bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:7:\d+: pipelines\.p\.steps\[1\]\.agent: no agent named "b"/);
  });

  it('needs an API key, an non-empty task, and --timeout only with --wait', async () => {
    const noKey = await cli({ ...e, env: { DATABASE_URL: e.env.DATABASE_URL } } as ChainEnv, [
      'chain',
      'three',
      'task',
    ]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('api_key_required');
    expect((await cli(e, ['chain', 'three', '  '])).code).toBe(2);
    const t = await cli(e, ['chain', 'three', 'task', '--timeout', '5s']);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('--timeout only applies with --wait');
  });
});
