// How every dashboard page is answered: the shell around its body, with the security headers, and
// the two static assets the shell links to (their versions bust browser caches on upgrade).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './html.js';
import { type Section, shell } from './layout.js';

// Pages only load their own CSS and script; the inline style attributes are the only reason for
// 'unsafe-inline' in style-src, and scripts stay strictly same-origin.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface Asset {
  body: string;
  type: string;
  version: string;
}

export interface Assets {
  css: Asset;
  js: Asset;
}

function asset(body: string, type: string): Asset {
  return { body, type, version: createHash('sha256').update(body).digest('hex').slice(0, 10) };
}

async function loadAsset(name: string, type: string): Promise<Asset> {
  return asset(await readFile(new URL(`./assets/${name}`, import.meta.url), 'utf8'), type);
}

/** The stylesheet is kept as small files by concern (assets/css/NN-name.css) and served as one
 * /assets/app.css, joined in name order, so pages make one request and the cascade order is the
 * files' numbering. */
async function loadStylesheet(): Promise<Asset> {
  const dir = new URL('./assets/css/', import.meta.url);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.css')).sort();
  const parts = await Promise.all(names.map((n) => readFile(new URL(n, dir), 'utf8')));
  return asset(parts.join('\n'), 'text/css; charset=utf-8');
}

let loaded: Promise<Assets> | null = null;

/** The files under ./assets, read once per process: the login routes serve them, pages link them. */
export function loadAssets(): Promise<Assets> {
  loaded ??= Promise.all([loadStylesheet(), loadAsset('live.js', 'text/javascript; charset=utf-8')]).then(
    ([css, js]) => ({ css, js }),
  );
  return loaded;
}

export interface PageOptions {
  title: string;
  section: Section;
  body: SafeHtml;
  live?: boolean;
  loggedIn?: boolean;
}

/** Answers with a whole page; never cached, never framed. */
export function sendPage(reply: FastifyReply, assets: Assets, status: number, o: PageOptions): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .send(shell({ ...o, assets: { css: assets.css.version, js: assets.js.version } }).value);
}
