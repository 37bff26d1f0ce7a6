// The run page's Transcript section: every event of the session, in order, as HTML. Everything in
// an event is untrusted (agent output, tool input and output): text goes through the escaping
// `html` builder or renderMarkdown, never raw. Long tool input and output are folded in <details>.
// renderTranscriptEvent is one event's fragment, so live updates append events the same way.
import type { Clock } from '../clock.js';
import type { Platform, SessionEvent } from '../platform/types.js';
import { foldLines, type TranscriptEntry, toolInputText, transcriptEntry } from '../query/transcript.js';
import { isFinal } from '../runs/state.js';
import { type Transcript, transcriptFor } from '../runs/transcript.js';
import type { Run, TranscriptStore } from '../store/types.js';
import { html, raw, type SafeHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { statusBadge } from './pages/runs.js';
import { perServer, RecentMap } from './recent.js';

/** Longer blocks are folded: the first lines show, the whole text is one click away. */
const FOLD_LINES = 12;
const FOLD_KEEP = 6;
/** A block of more characters than this is folded too (one very long line). */
const FOLD_CHARS = 2000;

function block(text: string, label: string): SafeHtml {
  const { lines, more } = foldLines(text, FOLD_LINES, FOLD_KEEP);
  if (more === 0 && text.length <= FOLD_CHARS) return html`<pre class="json code t-block">${text}</pre>`;
  const head = more > 0 ? lines.join('\n') : text.slice(0, FOLD_CHARS / 4);
  const rest = more > 0 ? `${more} more lines` : `${text.length - head.length} more characters`;
  return html`<details class="t-fold"><summary><span class="muted">${label} · … ${rest}</span><pre class="json code t-block">${head}</pre></summary><pre class="json code t-block">${text}</pre></details>`;
}

function threadTag(t: TranscriptEntry['thread']): SafeHtml | string {
  if (!t || (!t.agent && !t.id)) return '';
  return html`<span class="tag" title="${t.id ?? ''}">${t.agent ?? t.id}</span>`;
}

function body(e: TranscriptEntry): SafeHtml {
  const who = html`<strong class="t-who">${e.who}</strong>`;
  const detail = e.detail ? html`<span class="detail">${e.detail}</span>` : '';
  switch (e.kind) {
    case 'agent':
    case 'user':
    case 'thread': {
      // Thread status events say what happened in a word; messages carry text to render.
      const word = !e.markdown && e.kind === 'thread' ? html`<span class="muted">${e.text ?? ''}</span>` : '';
      const text =
        e.text && word === ''
          ? html`<div class="prose t-text">${e.markdown ? renderMarkdown(e.text) : html`<p class="task">${e.text}</p>`}</div>`
          : '';
      return html`<div class="what">${who}${threadTag(e.thread)}${word}${e.stopReason ? statusBadge(e.stopReason) : ''}${detail}</div>${text}`;
    }
    case 'tool_use':
      return html`<div class="what">${who}<span class="muted">calls</span><code>${e.tool?.server ? `${e.tool.server} / ` : ''}${e.tool?.name ?? '?'}</code>${threadTag(e.thread)}${detail}</div>${block(toolInputText(e.tool?.input), 'input')}`;
    case 'tool_result':
      return html`<div class="what">${who}<span class="muted">result</span>${e.result?.isError ? statusBadge('failed') : ''}${e.result?.toolUseId ? html`<span class="faint mono">${e.result.toolUseId}</span>` : ''}${threadTag(e.thread)}</div>${e.result?.text ? block(e.result.text, 'output') : html`<div class="faint">(empty)</div>`}`;
    case 'outcome': {
      const o = e.outcome;
      const iteration =
        o?.iteration === null || o?.iteration === undefined ? '' : `iteration ${o.iteration + 1}`;
      return html`<div class="what">${who}${o?.grade ? statusBadge(o.grade) : html`<span class="muted">${e.text ?? ''}</span>`}<span class="muted nowrap">${iteration}</span></div>${o?.explanation ? html`<div class="explanation">${o.explanation}</div>` : ''}`;
    }
    case 'error':
      return html`<div class="what">${who}${statusBadge('failed')}<span class="detail">${e.error ?? ''}</span></div>`;
    case 'idle':
      return html`<div class="what">${who}<span class="muted">idle</span>${e.stopReason ? statusBadge(e.stopReason) : ''}${detail}</div>`;
    default:
      return html`<div class="what">${who}<span class="muted">${e.text ?? e.type}</span>${threadTag(e.thread)}${detail}</div>`;
  }
}

/** One event's fragment: an <li> for the transcript list (#transcript-events). */
export function renderTranscriptEvent(event: SessionEvent): string {
  const e = transcriptEntry(event);
  const when = e.time ? e.time.slice(11, 19) : '';
  return html`<li class="t-${e.kind}" data-event-id="${e.id}" data-type="${e.type}"><span class="when" title="${e.time ?? ''}">${when}</span><span class="pin"><i></i></span><div class="t-body">${body(e)}</div></li>`
    .value;
}

export interface TranscriptView {
  events: readonly SessionEvent[];
  /** Where the events came from: the store's cache, or the platform just now. */
  source: 'cache' | 'platform';
  /** The cache kept fewer events (or shortened some) than the platform had. */
  truncated: boolean;
  /** The run has not ended: more events will come. */
  live: boolean;
}

/** The whole section: a note line, then the events (the list stays even when empty, for live). */
export function transcriptSection(view: TranscriptView | { error: string } | null): SafeHtml {
  const title = html`<div class="card-title"><h2>Transcript</h2>${view && 'events' in view ? html`<span class="hint">${view.events.length} events · ${view.source === 'cache' ? 'stored' : 'from the platform'}${view.live ? ' · still running' : ''}</span>` : ''}</div>`;
  if (view === null)
    return html`<section class="card" id="run-transcript">${title}<div class="empty">Start serve with ANTHROPIC_API_KEY to read the session's events.</div><ol class="timeline transcript" id="transcript-events"></ol></section>`;
  if ('error' in view)
    return html`<section class="card" id="run-transcript">${title}<div class="empty">Could not read the session's events: ${view.error}</div><ol class="timeline transcript" id="transcript-events"></ol></section>`;
  const note = view.truncated
    ? html`<div class="alert warn">The stored transcript is cut: very long sessions keep their first events, and very large events are shortened.</div>`
    : '';
  const empty = view.events.length === 0 ? html`<div class="empty">No events yet.</div>` : '';
  return html`<section class="card" id="run-transcript">${title}${note}${empty}<ol class="timeline transcript" id="transcript-events">${view.events.map((e) => raw(renderTranscriptEvent(e)))}</ol></section>`;
}

/** A running run's listing is reused this long: every open page re-renders on each store change. */
export const LIVE_READ_INTERVAL_MS = 5_000;
/** Runs remembered in memory at most (oldest dropped first). */
const MAX_REMEMBERED = 200;

type Read = { at: number; turn: number; final: boolean; view: TranscriptView | { error: string } };

function viewOf(t: Transcript): TranscriptView {
  return { events: t.events, source: t.source, truncated: t.truncated, live: !t.final };
}

/**
 * The run page's transcripts: a final run's from the store once cached (transcriptFor lists it
 * once and caches it); a running run's listed at most once per LIVE_READ_INTERVAL_MS, whatever
 * the number of open pages and store changes.
 */
export class RunTranscripts {
  private readonly recent = new RecentMap<Read>(MAX_REMEMBERED);

  constructor(
    private readonly store: TranscriptStore,
    private readonly platform: Platform | null,
    private readonly clock: Clock,
  ) {}

  async view(run: Run): Promise<TranscriptView | { error: string } | null> {
    const now = this.clock.now();
    const final = isFinal(run.status);
    const r = this.recent.get(run.id);
    if (r && r.turn === run.turn && r.final === final && now - r.at < LIVE_READ_INTERVAL_MS) return r.view;
    let view: TranscriptView | { error: string };
    try {
      view = viewOf(
        await transcriptFor({ store: this.store, platform: this.platform, clock: this.clock }, run),
      );
    } catch (err) {
      // Without a platform only a cached transcript can be shown: the section says how to get one.
      if (!this.platform) return null;
      view = { error: err instanceof Error ? err.message : String(err) };
    }
    if ('source' in view && view.source === 'cache') return view;
    this.recent.set(run.id, { at: now, turn: run.turn, final, view });
    return view;
  }
}

/** The one RunTranscripts of a server (keyed by its deps object). */
export const runTranscriptsOf = perServer(
  (deps: { platform?: Platform | null; store: TranscriptStore; clock: Clock }) =>
    new RunTranscripts(deps.store, deps.platform ?? null, deps.clock),
);

/** The run page's Transcript section for `run`. */
export async function runTranscriptSection(transcripts: RunTranscripts, run: Run): Promise<SafeHtml> {
  return transcriptSection(await transcripts.view(run));
}
