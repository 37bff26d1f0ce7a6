import { it } from 'vitest';
import { SCENARIOS } from '../../src/simulator/index.js';
import { setup } from './helpers.js';
it('probe', async () => {
  const e = await setup({ timeScale: 0.02, seed: 42, faults: { duplicateRate: 0.2, reorderRate: 0.2, dropRate: 0.1 }, api: { createRpm: 1e6, readRpm: 1e6 } });
  const agent = await e.platform.ensureAgent('chaos', { model: 'm' });
  const env = await e.platform.ensureEnvironment('chaos', {});
  const ids: Array<[string, string, boolean]> = [];
  for (let i = 0; i < 60; i++) {
    const withOutcome = i % 5 === 0;
    const scenario = withOutcome ? 'outcome_revise_then_satisfied' : SCENARIOS[i % SCENARIOS.length]!;
    const s = await e.platform.createSession({ agent: agent.id, environment_id: env.id, initial_events: [withOutcome ? { type: 'user.define_outcome', description: 'd', rubric: { type: 'text', content: 'r' }, max_iterations: 3 } : { type: 'user.message', content: [{ type: 'text', text: 't' }] }], metadata: { sim_scenario: scenario } });
    ids.push([s.id, scenario, withOutcome]);
  }
  await new Promise((r) => setTimeout(r, 8000));
  for (const [id, sc, o] of ids) {
    const s = await e.platform.sessionSnapshot(id);
    if (s && !(s.status === 'idle' || s.status === 'terminated') || (s?.evaluations.length && s.evaluations.at(-1)?.result === 'evaluating')) console.log(id, sc, o, s?.status, s?.stopReason, s?.evaluations.map((x) => x.result));
  }
  await e.close();
}, 60000);
