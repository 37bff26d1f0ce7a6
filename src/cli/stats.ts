// `agenthooks stats`: how each agent and pipeline performs over a window (30 days unless --since),
// the same figures as the /agents and /pipelines pages and GET /api/stats (its `insight` field).
import { Command } from 'commander';
import { FLAGS } from '../query/filters.js';
import {
  collectInsight,
  type DayFigures,
  type Figures,
  type GroupInsight,
  parseInsightFilters,
  type StepFunnel,
} from '../query/insight.js';
import { type CliContext, EXIT, print } from './context.js';
import {
  type Column,
  formatDuration,
  formatTime,
  paint,
  renderTable,
  type Style,
  styleFor,
} from './format.js';
import { withStore } from './store.js';

// Names come from the platform and from users: control characters are shown, never obeyed.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const shown = (s: string | null): string =>
  s === null ? '(none)' : s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
export const dollars = (cents: number | null): string =>
  cents === null ? '-' : `$${(cents / 100).toFixed(2)}`;

function figureColumns(): Column<GroupInsight>[] {
  const f =
    (pick: (x: Figures) => string): ((g: GroupInsight) => string) =>
    (g) =>
      pick(g.figures);
  return [
    { header: 'NAME', value: (g) => shown(g.name), max: 32 },
    { header: 'RUNS', value: f((x) => String(x.runs)), align: 'right' },
    { header: 'SUCCESS', value: f((x) => pct(x.successRate)), align: 'right' },
    { header: 'OUTCOME PASS', value: f((x) => pct(x.outcomePassRate)), align: 'right' },
    {
      header: 'ITER',
      value: f((x) => (x.meanIterations === null ? '-' : x.meanIterations.toFixed(2))),
      align: 'right',
    },
    { header: 'P50', value: f((x) => formatDuration(x.durationP50Ms)), align: 'right' },
    { header: 'P95', value: f((x) => formatDuration(x.durationP95Ms)), align: 'right' },
    { header: 'COST', value: f((x) => dollars(x.costCents)), align: 'right' },
    { header: 'COST/RUN', value: f((x) => dollars(x.costPerRunCents)), align: 'right' },
    {
      header: 'STOP REASONS',
      value: f((x) => x.stopReasons.map((s) => `${shown(s.reason)} ${pct(s.share)}`).join(', ')),
      max: 70,
    },
  ];
}

const DAY_COLUMNS: Column<DayFigures>[] = [
  { header: 'DAY', value: (d) => d.day },
  { header: 'RUNS', value: (d) => String(d.runs), align: 'right' },
  { header: 'SUCCEEDED', value: (d) => String(d.byStatus.succeeded ?? 0), align: 'right' },
  { header: 'FAILED', value: (d) => String(d.byStatus.failed ?? 0), align: 'right' },
  { header: 'COST', value: (d) => dollars(d.costCents), align: 'right' },
  { header: 'P50', value: (d) => formatDuration(d.durationP50Ms), align: 'right' },
  { header: 'P95', value: (d) => formatDuration(d.durationP95Ms), align: 'right' },
];

const STEP_COLUMNS: Column<StepFunnel>[] = [
  { header: 'STEP', value: (s) => shown(s.step) },
  { header: 'LAUNCHED', value: (s) => String(s.launched), align: 'right' },
  { header: 'SUCCEEDED', value: (s) => String(s.succeeded), align: 'right' },
  { header: 'FAILED', value: (s) => String(s.failed), align: 'right' },
  { header: 'SKIPPED', value: (s) => String(s.skipped), align: 'right' },
];

/** One agent or pipeline in full: daily figures, failure reasons, the step funnel. */
function detail(g: GroupInsight, style: Style): string[] {
  const out = [`\n${paint(style, 'bold', shown(g.name))}`];
  if (g.agentIds?.length) out.push(`agent ids: ${g.agentIds.map(shown).join(', ')}`);
  if (g.steps?.length) out.push('', renderTable(STEP_COLUMNS, g.steps, style));
  if (g.failureReasons.length)
    out.push('', 'failure reasons:', ...g.failureReasons.map((r) => `  ${r.count}  ${shown(r.reason)}`));
  out.push(
    '',
    renderTable(
      DAY_COLUMNS,
      g.daily.filter((d) => d.runs > 0),
      style,
    ),
  );
  return out;
}

export function statsCommand(ctx: CliContext): Command {
  return new Command('stats')
    .description(
      'How each agent and pipeline performs: runs, success and outcome pass rates, stop reasons, p50/p95 duration, cost; daily figures for one agent or pipeline.',
    )
    .option(
      '--database <url>',
      'SQLite file or postgres:// URL (default: DATABASE_URL, else ./.agenthooks/agenthooks.db)',
    )
    .option('--agent <name>', 'one agent (name or id): adds its daily figures and failure reasons')
    .option('--pipeline <name>', 'one pipeline: adds its daily figures, failure reasons and step funnel')
    .option('--since <time>', 'runs first seen since this long ago or this ISO time (UTC days)', '30d')
    .option('--json', 'print the figures as JSON (the `insight` field of GET /api/stats)')
    .action(
      async (flags: {
        database?: string;
        agent?: string;
        pipeline?: string;
        since: string;
        json?: boolean;
      }) => {
        const filters = parseInsightFilters(flags, ctx.clock.now(), FLAGS);
        ctx.exitCode = await withStore(ctx, flags.database, { create: false }, async (store) => {
          const insight = await collectInsight(store, filters);
          if (flags.json) {
            print(ctx.stdout, JSON.stringify(insight, null, 2));
            return EXIT.ok;
          }
          const style = styleFor(ctx.stdout, ctx.env);
          const t = insight.totals;
          const out = [
            `${t.runs} runs first seen since ${formatTime(insight.since)}: ${pct(t.successRate)} succeeded of ${t.final} final, ${dollars(t.costCents)} in total.`,
          ];
          if (insight.agents.length)
            out.push('', paint(style, 'bold', 'AGENTS'), renderTable(figureColumns(), insight.agents, style));
          if (insight.pipelines.length)
            out.push(
              '',
              paint(style, 'bold', 'PIPELINES'),
              renderTable(figureColumns(), insight.pipelines, style),
            );
          if (flags.pipeline) for (const g of insight.pipelines) out.push(...detail(g, style));
          else if (flags.agent) for (const g of insight.agents) out.push(...detail(g, style));
          print(ctx.stdout, out.join('\n'));
          return EXIT.ok;
        });
      },
    );
}
