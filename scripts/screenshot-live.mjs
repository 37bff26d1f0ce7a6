// `npm run build && node scripts/screenshot-live.mjs`: docs/screenshots/live.png, the run page of a
// run that is still working, its transcript appended live from serve's stream. Unlike
// screenshots.mjs (a seeded store, a fixed clock) this needs a session that really runs: it starts
// the simulator, serve (runtime + app from dist/) and one multiagent launch, then shoots the page
// once a few events have arrived live. Times in the picture are those of the run.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, hasChromium, INSTALL_CHROMIUM, launchChromiumAt } from './chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => path.join(root, 'dist', p);
const API_KEY = 'sk-sim-screenshots';
const out = path.join(root, 'docs', 'screenshots', 'live.png');

async function main() {
  if (!existsSync(dist('app.js'))) throw new Error('dist/ is missing: run `npm run build` first.');
  if (!hasChromium()) {
    process.stderr.write(`screenshot-live: ${CHROMIUM} not found; install it with: ${INSTALL_CHROMIUM}\n`);
    process.exit(1);
  }
  const tmp = mkdtempSync(path.join(tmpdir(), 'agenthooks-live-shot-'));
  const { silentLogger } = await import(dist('logger.js'));
  const { systemClock } = await import(dist('clock.js'));
  const { startSimulator } = await import(dist('simulator/index.js'));
  const { openSqliteStore } = await import(dist('store/sqlite/index.js'));
  const { createPlatform } = await import(dist('platform/client.js'));
  const { createRuntime } = await import(dist('runtime.js'));
  const { createApp } = await import(dist('app.js'));
  const { resolveServeConfig } = await import(dist('http/serve-config.js'));

  // Slow enough that the page is open while the threads work: each step takes about a second.
  const sim = await startSimulator({ seed: 18, timeScale: 0.05, durationMs: 40_000, apiKeys: [API_KEY] });
  const database = path.join(tmp, 'agenthooks.db');
  const store = await openSqliteStore(database, { create: true, logger: silentLogger });
  const platform = createPlatform({ apiKey: API_KEY, baseURL: sim.url, logger: silentLogger });
  const runtime = createRuntime({
    store,
    platform,
    clock: systemClock,
    logger: silentLogger,
    configFile: { path: null, agents: {}, environments: {}, pipelines: {} },
  });
  const config = resolveServeConfig(
    { host: '127.0.0.1', port: '0', signingKey: [sim.signingKey], database },
    {},
    tmp,
  );
  const app = createApp({ config, runtime });
  const url = await app.listen();
  sim.addWebhook(`${url}/webhooks`);

  const browser = await launchChromiumAt(path.join(tmp, 'chromium'), {
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
  });
  try {
    const { run } = await runtime.launch({
      task: 'Research the three most cited papers on retrieval-augmented generation and review the notes',
      metadata: { sim_scenario: 'multiagent', team: 'research' },
    });
    const page = await browser.newPage();
    await page.goto(`${url}/runs/${encodeURIComponent(run.id)}`, { waitUntil: 'load' });
    await page.waitForSelector('[data-live-indicator][data-state="live"]', { timeout: 10_000 });
    // A few events appended by the live script (not only the ones the page was rendered with).
    await page.waitForFunction(() => Number(document.body.dataset.transcriptEvents || '0') >= 6, null, {
      timeout: 60_000,
    });
    mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: true, animations: 'disabled', caret: 'hide' });
    process.stdout.write(`wrote ${path.relative(root, out)}\n`);
  } finally {
    await browser.close();
    await app.close();
    await store.close();
    await sim.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
