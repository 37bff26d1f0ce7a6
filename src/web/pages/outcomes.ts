// What became of finished runs, as sections of the health page and the run page: notification
// delivery (counts, what failed and why), failed scheduled deployment runs with their error, and
// a run's output files. Everything interpolated goes through `html`, which escapes it.
import { summarizeNotification } from '../../query/notifications.js';
import type { Run, Store } from '../../store/types.js';
import { ago, count, truncate } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { runHref } from '../links.js';
import type { RunFiles } from '../run-files.js';

export async function outcomesHealthSection(store: Store, now: number): Promise<SafeHtml> {
  const [counts, failedNotes, failedRuns] = await Promise.all([
    store.metricCounts(),
    store.listOutbox({ state: 'failed', limit: 10 }),
    store.listDeploymentRuns({ failed: true, limit: 10 }),
  ]);
  const n = (state: string) => counts.outbox.find((o) => o.state === state)?.count ?? 0;
  const notes = failedNotes.map(summarizeNotification);
  return html`<div class="grid halves" style="margin-top:16px" id="outcomes-health">
  <section class="card"><div class="card-title"><h2>Notifications</h2><span class="hint">run.finished to notify targets · ${count(n('pending'))} pending · ${count(n('delivered'))} delivered · <span class="${n('failed') > 0 ? 'bad-text' : ''}">${count(n('failed'))} failed</span></span></div>
    ${
      notes.length
        ? html`<div class="table-wrap"><table><thead><tr><th>Notification</th><th>Target</th><th>Run</th><th>Error</th></tr></thead><tbody>${notes.map(
            (x) =>
              html`<tr><td class="mono">${x.id}<div class="muted">${ago(x.createdAt, now)}</div></td><td>${x.target}</td><td>${x.runId ? html`<a class="mono" href="${runHref(x.runId)}">${x.runId}</a>` : '–'}</td><td class="muted long">${truncate(x.lastError ?? '', 140)}</td></tr>`,
          )}</tbody></table></div><div class="card-body muted">Fix the receiver, then <code>npx agenthooks notifications retry ID</code>.</div>`
        : html`<div class="empty">No failed notifications.</div>`
    }</section>
  <section class="card"><div class="card-title"><h2>Failed deployment runs</h2><span class="hint">scheduled runs that created no session · ${count(counts.deploymentRuns.succeeded)} succeeded</span></div>
    ${
      failedRuns.length
        ? html`<div class="table-wrap"><table><thead><tr><th>Deployment run</th><th>Deployment</th><th>Error</th></tr></thead><tbody>${failedRuns.map(
            (d) =>
              html`<tr><td class="mono">${d.id}<div class="muted">${ago(d.seenAt, now)}</div></td><td class="mono">${d.deploymentId}</td><td class="long"><code>${d.errorType ?? ''}</code> <span class="muted">${truncate(d.errorMessage ?? '', 160)}</span></td></tr>`,
          )}</tbody></table></div>`
        : html`<div class="empty">No failed deployment runs.</div>`
    }</section>
</div>`;
}

/** The run's output files, read from the Files API at page load (no platform: a hint instead). */
export async function runFilesSection(files: RunFiles | null, run: Run): Promise<SafeHtml> {
  const runId = run.id;
  const title = html`<div class="card-title"><h2>Output files</h2><span class="hint">/mnt/session/outputs/ · download: <code>npx agenthooks files ${runId} --out DIR</code></span></div>`;
  if (!files)
    return html`<section class="card" id="run-files">${title}<div class="empty">Start serve with ANTHROPIC_API_KEY to list output files.</div></section>`;
  try {
    const list = await files.list(run);
    if (list.length === 0)
      return html`<section class="card" id="run-files">${title}<div class="empty">No output files.</div></section>`;
    return html`<section class="card" id="run-files">${title}<div class="table-wrap"><table><thead><tr><th>Name</th><th>Type</th><th class="num">Bytes</th><th>File id</th></tr></thead><tbody>${list.map(
      (f) =>
        html`<tr><td class="long">${f.filename}</td><td class="muted">${f.mimeType}</td><td class="num">${count(f.sizeBytes)}</td><td class="mono">${f.id}</td></tr>`,
    )}</tbody></table></div></section>`;
  } catch (err) {
    return html`<section class="card" id="run-files">${title}<div class="empty">Could not list output files: ${(err as Error).message}</div></section>`;
  }
}
