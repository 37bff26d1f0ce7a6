// Untrusted text (tasks, outputs, explanations, event bodies) is escaped everywhere; output gets
// only a few safe blocks. Checked on the helpers and on the real pages served over a socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html } from '../../src/web/html.js';
import { renderMarkdown } from '../../src/web/markdown.js';
import { makeRun, saveRun, send, startWebServer, type WebServer } from './helpers.js';

const EVIL = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;

describe('html and markdown rendering', () => {
  it('escapes every interpolated value', () => {
    expect(html`<p title="${EVIL}">${EVIL}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;">&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;</p>',
    );
  });

  it('renders paragraphs, lists, headings, code blocks and inline code, and nothing else', () => {
    const out = renderMarkdown(
      '# Title\n\nFirst line\nsecond line\n\n- one **bold**\n- two `code`\n\n1. first\n2. second\n\n```js\nconst a = "<b>";\n```\n\n[link](javascript:alert(1)) ![img](http://x/y.png)',
    ).value;
    expect(out).toContain('<h3>Title</h3>');
    expect(out).toContain('<p>First line<br>second line</p>');
    expect(out).toContain('<ul><li>one <strong>bold</strong></li><li>two <code>code</code></li></ul>');
    expect(out).toContain('<ol><li>first</li><li>second</li></ol>');
    expect(out).toContain(
      '<pre class="code" data-lang="js"><code>const a = &quot;&lt;b&gt;&quot;;</code></pre>',
    );
    expect(out).not.toMatch(/<a |<img /);
  });

  it('never lets markup through, even inside markdown constructs', () => {
    const out = renderMarkdown(`**${EVIL}**\n\n- \`${EVIL}\`\n\n\`\`\`\n${EVIL}\n\`\`\`\n\n# ${EVIL}`).value;
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;script&gt;');
  });
});

describe('pages with hostile run data', () => {
  let s: WebServer;
  beforeAll(async () => {
    s = await startWebServer();
    await saveRun(
      s.store,
      makeRun('sesn_evil', {
        status: 'succeeded',
        task: `Task ${EVIL}`,
        output: `Output ${EVIL}\n\n\`\`\`\n${EVIL}\n\`\`\``,
        agentName: EVIL,
        metadata: { [EVIL]: EVIL },
        evaluations: [
          {
            outcomeId: 'outc_1',
            description: EVIL,
            result: 'satisfied',
            explanation: `Because ${EVIL}`,
            iteration: 0,
            completedAt: null,
          },
        ],
        outcomeResult: 'satisfied',
        stopReason: 'end_turn',
        finishedAt: Date.now(),
      }),
    );
  });
  afterAll(async () => {
    await s.close();
  });

  it('escapes them on the runs list and the run page, and sends a strict CSP', async () => {
    for (const p of ['/', '/runs/sesn_evil', `/?search=${encodeURIComponent(EVIL)}`]) {
      const res = await send(s.url, { path: p });
      expect(res.status, p).toBe(200);
      expect(res.body, p).not.toContain('<script>alert');
      expect(res.body, p).not.toContain('<img src=x');
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    const page = (await send(s.url, { path: '/runs/sesn_evil' })).body;
    expect(page).toContain('Because &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('Task &lt;script&gt;');
  });

  it('answers an unknown run with a 404 page, and a bad filter with a 400 page naming it', async () => {
    const missing = await send(s.url, { path: '/runs/sesn_missing' });
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('sesn_missing');
    const bad = await send(s.url, { path: '/?status=bogus' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('status must be');
  });

  it('serves the stylesheet and the live-update script without the token rule', async () => {
    const css = await send(s.url, { path: '/assets/app.css', headers: { 'x-forwarded-for': '203.0.113.1' } });
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(css.body).toContain('prefers-color-scheme: dark');
    const js = await send(s.url, { path: '/assets/live.js' });
    expect(js.status).toBe(200);
    expect(js.body).toContain("new EventSource('/api/stream')");
  });
});
