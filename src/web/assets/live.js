// Live updates for the agenthooks dashboard (no framework). Listens to /api/stream and, on each
// tick, re-reads the current URL (so the filters in it stay applied) and swaps in the parts of
// the page marked [data-live-region]; the filter form and anything being typed are left alone.
(() => {
  if (document.body?.dataset.live !== '1' || !('EventSource' in window)) return;
  const indicator = document.querySelector('[data-live-indicator]');
  const setState = (state, text) => {
    if (!indicator) return;
    indicator.dataset.state = state;
    const label = indicator.querySelector('.live-text');
    if (label) label.textContent = text;
  };

  let refreshing = false;
  let again = false;
  let timer = null;

  const versions = (root) => {
    const map = new Map();
    for (const row of root.querySelectorAll('[data-row-key]'))
      map.set(row.dataset.rowKey, row.dataset.rowVersion || '');
    return map;
  };

  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      const res = await fetch(location.href, {
        headers: { accept: 'text/html' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      for (const fresh of doc.querySelectorAll('[data-live-region]')) {
        const current = document.getElementById(fresh.id);
        if (!current) continue;
        const before = versions(current);
        current.replaceWith(fresh);
        for (const row of fresh.querySelectorAll('[data-row-key]')) {
          if (before.size > 0 && before.get(row.dataset.rowKey) !== (row.dataset.rowVersion || ''))
            row.classList.add('flash');
        }
      }
      document.body.dataset.liveRefreshes = String(Number(document.body.dataset.liveRefreshes || '0') + 1);
    } catch {
      // The next tick tries again.
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }

  function schedule() {
    // Coalesce bursts (a batch of webhooks) into one refresh.
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      refresh();
    }, 150);
  }

  const source = new EventSource('/api/stream');
  source.addEventListener('hello', () => setState('live', 'Live'));
  source.addEventListener('tick', () => {
    setState('live', 'Live');
    schedule();
  });
  source.addEventListener('error', () => setState('offline', 'Reconnecting'));
  source.addEventListener('open', () => setState('live', 'Live'));
})();
