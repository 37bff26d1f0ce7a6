// The login form: browsers trade the token for an HttpOnly, SameSite=Strict session cookie.
import { html, type SafeHtml } from '../html.js';

export function loginBody(opts: { next: string; error?: string; tokenConfigured: boolean }): SafeHtml {
  if (!opts.tokenConfigured) {
    return html`<div class="login card"><div class="card-body">
  <h1>Token required</h1>
  <p>This dashboard is being reached through the network or a proxy, and the server has no access token configured, so it refuses to show anything.</p>
  <p>Restart <code>agenthooks serve</code> with <code>AGENTHOOKS_TOKEN</code> set, then log in here with that token; or open the dashboard on the machine itself (http://127.0.0.1).</p>
</div></div>`;
  }
  return html`<div class="login card"><div class="card-body">
  <h1>Sign in</h1>
  <p>Enter the access token this server was started with (<code>AGENTHOOKS_TOKEN</code>).</p>
  ${opts.error ? html`<div class="alert error" role="alert">${opts.error}</div>` : ''}
  <form method="post" action="/login">
    <input type="hidden" name="next" value="${opts.next}">
    <label for="token">Access token</label>
    <input id="token" type="password" name="token" autocomplete="current-password" required autofocus>
    <button class="btn primary" type="submit">Sign in</button>
  </form>
</div></div>`;
}
