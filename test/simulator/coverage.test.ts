// Coverage of the managed-agents surface: every resource method of the installed SDK is either
// called here, through the unchanged SDK against the simulator, and works, or is named in the
// "Not simulated" section of docs/simulator.md. A new SDK method or a broken route fails this test.
// Every answer the walk receives is then checked against the response type the SDK declares.
import { readFileSync } from 'node:fs';
import type Anthropic from '@anthropic-ai/sdk';
import { toFile } from '@anthropic-ai/sdk';
import type { BetaManagedAgentsStreamSessionEvents } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { type Receiver, receiver, task, waitFor } from './helpers.js';
import { playEveryScenario } from './scenario-walk.js';
import { type Checked, checkResponses, distinct, ResponseRecorder } from './sdk-types.js';

const RESOURCES = [
  'agents',
  'environments',
  'sessions',
  'deployments',
  'deploymentRuns',
  'vaults',
  'memoryStores',
  'files',
  'webhooks',
] as const;

/** Every method of the SDK's resource tree under client.beta, as `resource.sub.method`. */
function sdkMethods(c: Anthropic): string[] {
  const out: string[] = [];
  const isResource = (o: unknown): o is Record<string, unknown> =>
    typeof o === 'object' && o !== null && '_client' in o;
  const walk = (o: Record<string, unknown>, name: string) => {
    for (const m of Object.getOwnPropertyNames(Object.getPrototypeOf(o)))
      if (m !== 'constructor' && typeof o[m] === 'function') out.push(`${name}.${m}`);
    for (const [k, v] of Object.entries(o)) if (k !== '_client' && isResource(v)) walk(v, `${name}.${k}`);
  };
  for (const r of RESOURCES) walk(c.beta[r] as unknown as Record<string, unknown>, r);
  return out;
}

/** Names (or `prefix.*` patterns) the docs list as not simulated. */
function documentedGaps(): string[] {
  const doc = readFileSync(new URL('../../docs/simulator.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Not simulated'));
  return [...section.matchAll(/`([a-zA-Z.]+(?:\.\*)?)`/g)].map((m) => m[1]);
}

const gaps = documentedGaps();

/** Whether the docs list the method as not simulated. */
function documented(m: string): boolean {
  return gaps.some((g) => g === m || (g.endsWith('.*') && m.startsWith(g.slice(0, -1))));
}

let sim: RunningSimulator;
let c: Anthropic;
let rx: Receiver;
const recorder = new ResponseRecorder();

beforeAll(async () => {
  rx = await receiver();
  sim = await startSimulator({ seed: 17, timeScale: 0.005, webhooks: [rx.url] });
  c = recorder.client(sim.url);
});
afterAll(async () => {
  await sim.close();
  await rx.close();
});

async function untilIdle(stream: AsyncIterable<BetaManagedAgentsStreamSessionEvents>): Promise<number> {
  let n = 0;
  for await (const e of stream) {
    n += 1;
    if (e.type === 'session.status_idle') break;
  }
  return n;
}

describe('SDK coverage against the simulator', () => {
  it('answers every managed-agents method the SDK has, or documents the gap', async () => {
    const worked = new Set<string>();
    const failed: string[] = [];
    const call = async <T>(name: string, fn: () => Promise<T> | T): Promise<T | undefined> => {
      try {
        const v = await fn();
        worked.add(name);
        return v;
      } catch (err) {
        failed.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    };
    const b = recorder.beta(c);

    const agent = await call('agents.create', () =>
      b.agents.create({
        name: 'cov',
        model: { id: 'claude-sonnet-4-6', effort: 'high' },
        skills: [{ type: 'anthropic', skill_id: 'xlsx' }],
        tools: [{ type: 'agent_toolset_20260401' }],
      }),
    );
    const agentId = agent?.id ?? '';
    await call('agents.retrieve', () => b.agents.retrieve(agentId));
    await call('agents.update', () => b.agents.update(agentId, { version: 1, system: 'v2' }));
    await call('agents.list', () => b.agents.list());
    await call('agents.versions.list', () => b.agents.versions.list(agentId));

    const env = await call('environments.create', () =>
      b.environments.create({
        name: 'cov',
        config: { type: 'cloud', networking: { type: 'limited', allowed_hosts: ['example.com'] } },
      }),
    );
    const envId = env?.id ?? '';
    await call('environments.retrieve', () => b.environments.retrieve(envId));
    await call('environments.update', () => b.environments.update(envId, { description: 'covered' }));
    await call('environments.list', () => b.environments.list());

    const upload = await call('files.upload', async () =>
      b.files.upload({ file: await toFile(Buffer.from('input data'), 'input.txt', { type: 'text/plain' }) }),
    );
    const fileId = upload?.id ?? '';
    await call('files.retrieveMetadata', () => b.files.retrieveMetadata(fileId));

    const store = await call('memoryStores.create', () => b.memoryStores.create({ name: 'notes' }));
    const storeId = store?.id ?? '';
    await call('memoryStores.retrieve', () => b.memoryStores.retrieve(storeId));
    await call('memoryStores.update', () => b.memoryStores.update(storeId, { description: 'team notes' }));
    await call('memoryStores.list', () => b.memoryStores.list());
    const memory = await call('memoryStores.memories.create', () =>
      b.memoryStores.memories.create(storeId, { path: '/a/today.md', content: 'hello' }),
    );
    const memoryId = memory?.id ?? '';
    await call('memoryStores.memories.retrieve', () =>
      b.memoryStores.memories.retrieve(memoryId, { memory_store_id: storeId }),
    );
    await call('memoryStores.memories.update', () =>
      b.memoryStores.memories.update(memoryId, { memory_store_id: storeId, content: 'hello again' }),
    );
    await call('memoryStores.memories.list', () => b.memoryStores.memories.list(storeId, { depth: 0 }));
    const versions = await call('memoryStores.memoryVersions.list', () =>
      b.memoryStores.memoryVersions.list(storeId),
    );
    const versionId = versions?.data[0]?.id ?? '';
    await call('memoryStores.memoryVersions.retrieve', () =>
      b.memoryStores.memoryVersions.retrieve(versionId, { memory_store_id: storeId }),
    );
    await call('memoryStores.memoryVersions.redact', () =>
      b.memoryStores.memoryVersions.redact(versionId, { memory_store_id: storeId }),
    );
    await call('memoryStores.memories.delete', () =>
      b.memoryStores.memories.delete(memoryId, { memory_store_id: storeId }),
    );

    const vault = await call('vaults.create', () => b.vaults.create({ display_name: 'cov' }));
    const vaultId = vault?.id ?? '';
    await call('vaults.retrieve', () => b.vaults.retrieve(vaultId));
    await call('vaults.update', () => b.vaults.update(vaultId, { display_name: 'cov 2' }));
    await call('vaults.list', () => b.vaults.list());
    const cred = await call('vaults.credentials.create', () =>
      b.vaults.credentials.create(vaultId, {
        auth: { type: 'mcp_oauth', access_token: 'tok', mcp_server_url: 'https://mcp.example.com' },
      }),
    );
    const credId = cred?.id ?? '';
    await call('vaults.credentials.retrieve', () =>
      b.vaults.credentials.retrieve(credId, { vault_id: vaultId }),
    );
    await call('vaults.credentials.update', () =>
      b.vaults.credentials.update(credId, { vault_id: vaultId, display_name: 'oauth' }),
    );
    await call('vaults.credentials.list', () => b.vaults.credentials.list(vaultId));
    await call('vaults.credentials.mcpOAuthValidate', () =>
      b.vaults.credentials.mcpOAuthValidate(credId, { vault_id: vaultId }),
    );

    const session = await call('sessions.create', () =>
      b.sessions.create({
        agent: agentId,
        environment_id: envId,
        vault_ids: [vaultId],
        resources: [
          { type: 'file', file_id: fileId },
          { type: 'memory_store', memory_store_id: storeId },
          { type: 'github_repository', url: 'https://github.com/example/repo', authorization_token: 'ghp_x' },
        ],
      }),
    );
    const sid = session?.id ?? '';
    await call('sessions.retrieve', () => b.sessions.retrieve(sid));
    await call('sessions.update', () => b.sessions.update(sid, { title: 'covered' }));
    await call('sessions.list', () => b.sessions.list());
    const stream = await call('sessions.events.stream', () => b.sessions.events.stream(sid));
    await call('sessions.events.send', () =>
      b.sessions.events.send(sid, { events: [task('cover everything')] }),
    );
    if (stream) expect(await untilIdle(stream)).toBeGreaterThan(0);
    await call('sessions.events.list', () => b.sessions.events.list(sid));
    const second = await call('files.upload', async () =>
      b.files.upload({ file: await toFile(Buffer.from('more'), 'more.txt', { type: 'text/plain' }) }),
    );
    const added = await call('sessions.resources.add', () =>
      b.sessions.resources.add(sid, { type: 'file', file_id: second?.id ?? '' }),
    );
    const listed = await call('sessions.resources.list', () => b.sessions.resources.list(sid));
    const repo = listed?.data.find((r) => r.type === 'github_repository');
    await call('sessions.resources.retrieve', () =>
      b.sessions.resources.retrieve(added?.id ?? '', { session_id: sid }),
    );
    await call('sessions.resources.update', () =>
      b.sessions.resources.update(repo?.type === 'github_repository' ? repo.id : '', {
        session_id: sid,
        authorization_token: 'ghp_y',
      }),
    );
    await call('sessions.resources.delete', () =>
      b.sessions.resources.delete(added?.id ?? '', { session_id: sid }),
    );
    const outputs = await call('files.list', () => b.files.list({ scope_id: sid }));
    await call('files.download', async () => (await b.files.download(outputs?.data[0]?.id ?? '')).text());

    const multi = await b.sessions.create({
      agent: agentId,
      environment_id: envId,
      metadata: { sim_scenario: 'multiagent' },
      initial_events: [task('delegate')],
    });
    await waitFor(
      async () => ((await b.sessions.retrieve(multi.id)).status === 'idle' ? true : undefined),
      'multiagent idle',
    );
    const threads = await call('sessions.threads.list', () => b.sessions.threads.list(multi.id));
    const child = threads?.data.find((t) => t.parent_thread_id !== null);
    const tid = child?.id ?? '';
    await call('sessions.threads.retrieve', () => b.sessions.threads.retrieve(tid, { session_id: multi.id }));
    await call('sessions.threads.events.list', () =>
      b.sessions.threads.events.list(tid, { session_id: multi.id }),
    );
    await call('sessions.threads.events.stream', async () => {
      const s = await b.sessions.threads.events.stream(tid, { session_id: multi.id });
      s.controller.abort();
    });
    await call('sessions.threads.archive', () => b.sessions.threads.archive(tid, { session_id: multi.id }));

    const dep = await call('deployments.create', () =>
      b.deployments.create({
        name: 'nightly',
        agent: agentId,
        environment_id: envId,
        initial_events: [task('nightly report')],
        schedule: { type: 'cron', expression: '0 3 * * *', timezone: 'UTC' },
      }),
    );
    const depId = dep?.id ?? '';
    await call('deployments.retrieve', () => b.deployments.retrieve(depId));
    await call('deployments.update', () => b.deployments.update(depId, { description: 'covered' }));
    await call('deployments.list', () => b.deployments.list());
    const run = await call('deployments.run', () => b.deployments.run(depId));
    await call('deployments.pause', () => b.deployments.pause(depId));
    await call('deployments.unpause', () => b.deployments.unpause(depId));
    await call('deploymentRuns.retrieve', () => b.deploymentRuns.retrieve(run?.id ?? ''));
    await call('deploymentRuns.list', () => b.deploymentRuns.list({ deployment_id: depId }));
    await call('deployments.archive', () => b.deployments.archive(depId));

    await call('sessions.archive', () => b.sessions.archive(sid));
    await call('sessions.delete', () => b.sessions.delete(multi.id));
    await call('vaults.credentials.archive', () =>
      b.vaults.credentials.archive(credId, { vault_id: vaultId }),
    );
    await call('vaults.credentials.delete', () => b.vaults.credentials.delete(credId, { vault_id: vaultId }));
    await call('vaults.archive', () => b.vaults.archive(vaultId));
    await call('vaults.delete', () => b.vaults.delete(vaultId));
    await call('memoryStores.archive', () => b.memoryStores.archive(storeId));
    await call('memoryStores.delete', () => b.memoryStores.delete(storeId));
    await call('files.delete', () => b.files.delete(fileId));
    await call('agents.archive', () => b.agents.archive(agentId));
    await call('environments.archive', () => b.environments.archive(envId));
    await call('environments.delete', () => b.environments.delete(envId));

    await sim.deliveriesIdle();
    const delivery = rx.received[0];
    await call('webhooks.parseUnverified', () => b.webhooks.parseUnverified(delivery?.body ?? ''));
    await call('webhooks.unwrap', () =>
      b.webhooks.unwrap(delivery?.body ?? '', {
        key: sim.signingKey,
        headers: Object.fromEntries(Object.entries(delivery?.headers ?? {}).map(([k, v]) => [k, String(v)])),
      }),
    );

    const methods = sdkMethods(c);
    const missing = methods.filter((m) => !worked.has(m) && !documented(m));
    expect(failed).toEqual([]);
    expect(missing).toEqual([]);
    const inScope = methods.filter((m) => !documented(m));
    // The figure the docs quote: methods of the 75 that work through the unchanged SDK.
    console.log(`simulator SDK coverage: ${worked.size} of ${inScope.length} methods work`);
    expect(worked.size).toBeGreaterThanOrEqual(70);
  });

  // Checks what the walk above recorded (tests in a file run in order), after playing every scenario.
  it('answers every call of the walk with the response type the SDK declares', async () => {
    await playEveryScenario(recorder.beta(c));
    // Webhook payloads are answers too: every delivery of the walk goes through the SDK's parser.
    for (const d of rx.received) recorder.beta(c).webhooks.parseUnverified(d.body);
    const responses = distinct(recorder.records);
    expect(responses.length).toBeGreaterThan(100);
    const first = (method: string) => responses.find((r) => r.method === method)?.body ?? {};
    const agent = first('agents.create') as Record<string, unknown>;
    const model = agent.model as Record<string, unknown>;
    const events = first('sessions.events.list') as { data: object[] };
    const hook = first('webhooks.parseUnverified') as { data: object };
    const idle = responses.find(
      (r) =>
        r.method === 'sessions.events.stream' && (r.body as { type?: string }).type === 'session.status_idle',
    );
    // Deliberately wrong answers, checked in the same program: each must be reported.
    const wrong: Checked[] = [
      {
        label: 'effort as a string',
        method: 'agents.create',
        body: { ...agent, model: { ...model, effort: 'high' } },
      },
      { label: 'missing created_at', method: 'agents.create', body: { ...agent, created_at: undefined } },
      { label: 'extra field', method: 'agents.create', body: { ...agent, echoed: true } },
      { label: 'version as a string', method: 'agents.create', body: { ...agent, version: '1' } },
      {
        label: 'unknown stop reason',
        method: 'sessions.events.stream',
        body: { ...(idle?.body as object), stop_reason: { type: 'bored' } },
      },
      {
        label: 'extra page field',
        method: 'agents.list',
        body: { ...(first('agents.list') as object), has_more: false },
      },
      {
        label: 'extra field on a listed event',
        method: 'sessions.events.list',
        body: { ...events, data: [{ ...events.data[0], echoed: true }] },
      },
      {
        label: 'credential webhook without vault_id',
        method: 'webhooks.parseUnverified',
        body: { ...hook, data: { ...hook.data, type: 'vault_credential.created' } },
      },
    ];
    const checked = responses.map((r, i) => ({ ...r, label: `${r.method} #${i}` }));
    const { types, problems } = checkResponses([...checked, ...wrong]);
    const methods = Object.keys(types).length;
    console.log(
      `simulator responses checked against SDK types: ${responses.length} distinct answers of ${methods} methods`,
    );
    expect(problems.filter((p) => !wrong.some((w) => w.label === p.label))).toEqual([]);
    expect([...new Set(problems.map((p) => p.label))].sort()).toEqual(wrong.map((w) => w.label).sort());
    // Every method of the 75 had answers checked, except files.download (it answers bytes).
    expect(sdkMethods(c).filter((m) => !documented(m) && types[m] === undefined)).toEqual(['files.download']);
  }, 120_000);

  it('answers the error codes the SDK exposes as errorCode', async () => {
    const env = await c.beta.environments.create({ name: 'codes' });
    await expect(
      c.beta.environments.update(env.id, { config: { type: 'self_hosted' } }),
    ).rejects.toMatchObject({
      status: 400,
      errorCode: 'invalid_config_type_change',
    });
    await c.beta.environments.archive(env.id);
    await expect(c.beta.environments.update(env.id, { name: 'x' })).rejects.toMatchObject({
      status: 400,
      errorCode: 'environment_archived',
    });
    const f = await c.beta.files.upload({ file: await toFile(Buffer.from('x'), 'x.txt') });
    await expect(c.beta.files.download(f.id)).rejects.toMatchObject({
      status: 400,
      errorCode: 'file_not_downloadable',
    });
    const res = await fetch(`${sim.url}/v1/nothing/here`, { headers: { authorization: 'Bearer k' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'GET /v1/nothing/here is not simulated by agenthooks simulator.',
    );
  });
});
