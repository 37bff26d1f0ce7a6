// The page shell shared by every dashboard page: head, navigation, live indicator, footer.
import { html, type SafeHtml } from './html.js';

export type Section = 'runs' | 'events' | 'agents' | 'pipelines' | 'health' | 'login';

export interface ShellOptions {
  title: string;
  section: Section;
  body: SafeHtml;
  /** Cache-busting versions of /assets/app.css and /assets/live.js. */
  assets: { css: string; js: string };
  /** Subscribe to /api/stream and refresh the [data-live-region] parts on change. */
  live?: boolean;
  /** Show the log-out button (the visitor came in with the session cookie). */
  loggedIn?: boolean;
}

const LOGO = html`<svg class="logo" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 12a8 8 0 0 1 13.7-5.6" /><path d="M20 12a8 8 0 0 1-13.7 5.6" /><path d="M17.7 2.8v3.8h-3.8" /><path d="M6.3 21.2v-3.8h3.8" /><circle cx="12" cy="12" r="2.6" /></svg>`;

export function shell(o: ShellOptions): SafeHtml {
  const nav = (section: Section, href: string, label: string) =>
    html`<a href="${href}" class="${o.section === section ? 'active' : ''}"${o.section === section ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="same-origin">
<title>${o.title} · agenthooks</title>
<link rel="stylesheet" href="/assets/app.css?v=${o.assets.css}">
<link rel="icon" href="data:,">
</head>
<body${o.live ? html` data-live="1"` : ''}>
<header class="topbar">
  <div class="topbar-inner">
    <a class="brand" href="/">${LOGO}<span>agenthooks</span></a>
    ${
      o.section === 'login'
        ? ''
        : html`<nav class="nav">${nav('runs', '/', 'Runs')}${nav('events', '/events', 'Events')}${nav('agents', '/agents', 'Agents')}${nav('pipelines', '/pipelines', 'Pipelines')}${nav('health', '/health-view', 'Health')}</nav>
    <div class="topbar-end">
      ${o.live ? html`<span class="live" data-live-indicator data-state="connecting" title="Live updates"><i></i><span class="live-text">Connecting</span></span>` : ''}
      ${o.loggedIn ? html`<form method="post" action="/logout" class="inline"><button class="link-button" type="submit">Log out</button></form>` : ''}
    </div>`
    }
  </div>
</header>
<main class="page">
${o.body}
</main>
<script src="/assets/live.js?v=${o.assets.js}" defer></script>
</body>
</html>`;
}
