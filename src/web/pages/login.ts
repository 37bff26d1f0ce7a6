// The login form: browsers trade the token for an HttpOnly, SameSite=Strict session cookie.
import { html, type SafeHtml } from '../html.js';

export interface LoginView {
  next: string;
  error?: string;
  tokenConfigured: boolean;
  /** The request came straight from this machine (loopback socket, no forwarding header), which
   * the access rule lets in without a token; false for anything through the network or a proxy. */
  direct?: boolean;
}

export function loginBody(opts: LoginView): SafeHtml {
  if (opts.direct && !opts.tokenConfigured) {
    return html`<div class="login card"><div class="card-body" id="login-direct">
  <h1>No sign-in needed</h1>
  <p>You opened this page on the machine agenthooks runs on. Requests from this machine get in without a token, and none is configured.</p>
  <p><a class="btn primary" href="${opts.next}">Open the dashboard</a></p>
  <p>To open the dashboard from another machine or through a proxy, restart <code>npx agenthooks serve</code> with <code>AGENTHOOKS_TOKEN</code> set and sign in here with it.</p>
</div></div>`;
  }
  if (!opts.tokenConfigured) {
    return html`<div class="login card"><div class="card-body">
  <h1>Token required</h1>
  <p>This dashboard is being reached through the network or a proxy, and the server has no access token configured, so it refuses to show anything.</p>
  <p>Restart <code>npx agenthooks serve</code> with <code>AGENTHOOKS_TOKEN</code> set, then log in here with that token; or open the dashboard on the machine itself (http://127.0.0.1).</p>
</div></div>`;
  }
  return html`<div class="login card"><div class="card-body">
  <h1>Sign in</h1>
  <p>Enter the access token this server was started with (<code>AGENTHOOKS_TOKEN</code>).</p>
  ${opts.direct ? html`<p id="login-direct">On this machine no token is needed: <a href="${opts.next}">open the dashboard</a>.</p>` : ''}
  ${opts.error ? html`<div class="alert error" role="alert">${opts.error}</div>` : ''}
  <form method="post" action="/login">
    <input type="hidden" name="next" value="${opts.next}">
    <label for="token">Access token</label>
    <input id="token" type="password" name="token" autocomplete="current-password" required autofocus>
    <button class="btn primary" type="submit">Sign in</button>
  </form>
</div></div>`;
}
