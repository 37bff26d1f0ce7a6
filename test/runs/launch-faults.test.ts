// Every API fault point of a launch, for `launch` and for `chain`: resolving the agent, resolving
// the environment, creating the session, and listing sessions during recovery (reached after a
// create whose response was lost). Each point gets a 429, a 500 and a reset connection, injected
// by a real proxy in front of the simulator:
// - once: the CLI retries by itself and succeeds (exit 0);
// - until cleared: the CLI gives up (exit 1, launch_pending, naming the launch or the chain), and a
//   serve started afterwards finishes the intent.
// Either way, exactly one session exists per expected step once serve has run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChainEnv,
  cli,
  PIPELINES_YAML,
  setupChainEnv,
  simSessions,
  startInProcessServe,
  until,
} from '../chains/helpers.js';
import { type Fault, type FaultProxy, type FaultRule, startFaultProxy } from '../support/fault-proxy.js';

const YAML = `${PIPELINES_YAML}
  pair:
    steps:
      - { name: left, agent: researcher, prompt: "{{task}} (left)" }
      - { name: right, agent: writer, prompt: "{{task}} (right)" }
`;

type Point = 'resolve agent' | 'resolve environment' | 'create session' | 'list sessions in recovery';
const POINTS: Point[] = [
  'resolve agent',
  'resolve environment',
  'create session',
  'list sessions in recovery',
];
const FAULTS: Array<Exclude<Fault, 'lost'>> = ['429', '500', 'reset'];

function rules(point: Point, fault: Fault, times: number): FaultRule[] {
  switch (point) {
    case 'resolve agent':
      return [{ method: 'GET', path: '/agents', fault, times }];
    case 'resolve environment':
      return [{ method: 'GET', path: '/environments', fault, times }];
    case 'create session':
      return [{ method: 'POST', path: '/sessions', fault, times }];
    case 'list sessions in recovery':
      // The first create goes through but its answer is lost: the retry must list before creating.
      return [
        { method: 'POST', path: '/sessions', fault: 'lost', times: 1 },
        { method: 'GET', path: '/sessions', fault, times },
      ];
  }
}

describe('launch fault points', () => {
  let e: ChainEnv;
  let proxy: FaultProxy;

  beforeAll(async () => {
    e = await setupChainEnv({}, YAML);
    proxy = await startFaultProxy(e.sim.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await e?.close();
  });

  const run = (args: string[], retryMs: number) =>
    cli(
      {
        ...e,
        env: { ...e.env, ANTHROPIC_BASE_URL: proxy.url, AGENTHOOKS_TEST_LAUNCH_RETRY_MS: String(retryMs) },
      },
      args,
    );

  const sessionsOfLaunch = async (launch: string) =>
    (await simSessions(e.sdk)).filter((s) => s.launch === launch);
  const sessionsOfChain = async (chain: string) =>
    (await simSessions(e.sdk)).filter((s) => s.chain === chain);

  it('a fault that passes: the CLI retries by itself, exit 0, one session per step', async () => {
    for (const point of POINTS) {
      for (const fault of FAULTS) {
        const what = `${point} / ${fault}`;
        proxy.set(rules(point, fault, 1));
        const launched = await run(['launch', `Fault ${what}`, '--json'], 8_000);
        expect(launched.code, `${what}: ${launched.stderr}`).toBe(0);
        expect(
          proxy.injected().every((n) => n >= 1),
          what,
        ).toBe(true);
        const run1 = JSON.parse(launched.stdout) as { id: string; launchId: string };
        expect(await sessionsOfLaunch(run1.launchId), what).toHaveLength(1);

        proxy.set(rules(point, fault, 1));
        const chained = await run(['chain', 'pair', `Fault ${what}`, '--json'], 8_000);
        expect(chained.code, `${what}: ${chained.stderr}`).toBe(0);
        const { chain } = JSON.parse(chained.stdout) as { chain: string };
        const steps = (await sessionsOfChain(chain)).map((s) => s.step).sort();
        expect(steps, what).toEqual(['left', 'right']);
      }
    }
    proxy.clear();
  }, 240_000);

  it('a fault that lasts: the CLI gives up naming the intent, and serve creates each session once', async () => {
    const pending: Array<{ what: string; launch?: string; chain?: string }> = [];
    for (const point of POINTS) {
      for (const fault of FAULTS) {
        const what = `${point} / ${fault}`;
        proxy.set(rules(point, fault, Number.POSITIVE_INFINITY));
        const launched = await run(['launch', `Lasting ${what}`], 1_500);
        expect(launched.code, `${what}: ${launched.stderr}`).toBe(1);
        expect(launched.stderr, what).toContain('error [launch_pending]');
        expect(launched.stderr, what).toMatch(/agenthooks serve/);
        const launch = /lch_[A-Za-z0-9]+/.exec(launched.stderr)?.[0];
        expect(launch, launched.stderr).toBeDefined();
        pending.push({ what, launch });

        proxy.set(rules(point, fault, Number.POSITIVE_INFINITY));
        const chained = await run(['chain', 'pair', `Lasting ${what}`, '--json'], 1_500);
        expect(chained.code, `${what}: ${chained.stderr}`).toBe(1);
        // --json still names the chain on stdout; stderr says what happened.
        const { chain } = JSON.parse(chained.stdout) as { chain: string };
        expect(chained.stderr, what).toContain(`chain ${chain}:`);
        expect(chained.stderr, what).toMatch(/recorded; a running `agenthooks serve`/);
        pending.push({ what, chain });
      }
    }
    proxy.clear();
    const serve = await startInProcessServe(e, { chains: { sweepIntervalMs: 200, staleMs: 0 } });
    try {
      for (const p of pending) {
        if (p.launch) {
          const launch = p.launch;
          await until(`${p.what}: launch ${launch} created`, async () => {
            const l = await serve.store.getLaunch(launch);
            return l?.state === 'created';
          });
          expect(await sessionsOfLaunch(launch), p.what).toHaveLength(1);
        } else {
          const chain = p.chain!;
          const steps = await until(`${p.what}: chain ${chain} roots`, async () => {
            const s = (await sessionsOfChain(chain)).map((x) => x.step).sort();
            return s.length >= 2 ? s : null;
          });
          expect(steps, p.what).toEqual(['left', 'right']);
        }
      }
      // A few more sweeps create nothing more.
      await new Promise((r) => setTimeout(r, 800));
      for (const p of pending) {
        if (p.launch) expect(await sessionsOfLaunch(p.launch), p.what).toHaveLength(1);
        else expect((await sessionsOfChain(p.chain!)).length, p.what).toBe(2);
      }
    } finally {
      await serve.close();
    }
  }, 300_000);
});
