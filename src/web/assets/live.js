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

// A running run's transcript, live: the run page carries #transcript-live (with the stream's URL)
// while the run is going. Each event arrives as its transcript fragment (rendered and escaped by
// serve) and is appended to #transcript-events unless an entry with its id is already there (the
// page's own listing, or a refresh of the live region, may hold it). EventSource resumes with
// Last-Event-ID on its own; the stream is closed once a refresh drops the marker (the run ended).
(() => {
  const marker = document.getElementById('transcript-live');
  if (!marker || !('EventSource' in window)) return;
  const list = () => document.getElementById('transcript-events');
  const held = (id) => {
    const ol = list();
    return !ol || Array.from(ol.children).some((li) => li.dataset.eventId === id);
  };
  const lastId = () => {
    const items = list()?.querySelectorAll('[data-event-id]');
    return items && items.length > 0 ? items[items.length - 1].dataset.eventId : '';
  };
  const after = lastId();
  const url = marker.dataset.stream + (after ? `&after=${encodeURIComponent(after)}` : '');
  const source = new EventSource(url);
  source.addEventListener('html', (e) => {
    if (held(e.lastEventId)) return;
    const template = document.createElement('template');
    template.innerHTML = JSON.parse(e.data);
    list()?.append(template.content);
    document.body.dataset.transcriptEvents = String(
      Number(document.body.dataset.transcriptEvents || '0') + 1,
    );
  });
  source.addEventListener('end', () => source.close());
  const watch = setInterval(() => {
    if (document.getElementById('transcript-live')) return;
    source.close();
    clearInterval(watch);
  }, 1000);
})();
