'use strict';
// The tracebridge viewer. Records hold untrusted text (LLM inputs and outputs): every value
// reaches the page as a text node or an attribute value, never parsed as HTML (a test
// greps this file for the HTML-parsing sinks); the Content-Security-Policy forbids inline
// scripts besides.
(() => {
  const $ = (id) => document.getElementById(id);
  const TASKS = ['message', 'generation', 'retrieval', 'tool', 'agent', 'router', 'event', 'system', 'feedback'];
  const POLL_MS = 2000;
  const STEP_PAGES = 10; // at most 10 pages of steps (10,000) per interaction

  const state = {
    conv: null, // selected conversation id
    inter: null, // selected interaction id
    convs: [], convCursor: '', shown: 50,
    inters: [], interCursor: '',
    steps: [], stepsMore: false,
    open: new Set(), // uids of the expanded steps
    revision: '',
    busy: false,
  };

  // el builds an element; children that are not nodes become text nodes.
  function el(tag, cls, ...children) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    for (const c of children) {
      if (c === null || c === undefined || c === false || c === '') continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  async function api(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== '' && v !== null && v !== undefined) q.set(k, v);
    }
    const qs = q.toString();
    const res = await fetch(path + (qs ? '?' + qs : ''), {
      headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store',
    });
    if (res.status === 401) {
      location.reload(); // the server answers with its login page
      throw new Error('not logged in');
    }
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || res.statusText);
    return body;
  }

  // ---- formatting

  const fmtInt = (n) => (n || 0).toLocaleString('en-US');
  const count = (n, one, many) => fmtInt(n) + ' ' + (n === 1 ? one : many);
  function ago(ms) {
    if (!ms) return '';
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.round(s / 60) + 'm ago';
    if (s < 86400) return Math.round(s / 3600) + 'h ago';
    return new Date(ms).toLocaleDateString();
  }
  const stamp = (ms) => (ms ? new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC') : '');
  function duration(ms) {
    if (ms === undefined || ms === null) return '';
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
    return (ms / 60000).toFixed(1) + ' min';
  }
  function tokens(o) {
    if (!o.input_tokens && !o.output_tokens) return o.total_tokens ? fmtInt(o.total_tokens) + ' tok' : '';
    return fmtInt(o.input_tokens) + ' + ' + fmtInt(o.output_tokens) + ' tok';
  }
  function withTitle(node, title) {
    if (title) node.setAttribute('title', title);
    return node;
  }

  // ---- filters and the address bar

  function filterParams() {
    const p = {
      q: $('f-q').value.trim(),
      user: $('f-user').value.trim(),
      session_id: $('f-session').value.trim(),
      contract: $('f-contract').value,
      errors: $('f-errors').checked ? 'true' : '',
    };
    const range = Number($('f-range').value);
    if (range) p.since = String(Date.now() - range);
    return p;
  }

  function saveHash() {
    const h = new URLSearchParams();
    if (state.conv !== null) h.set('c', state.conv);
    if (state.inter !== null) h.set('i', state.inter);
    history.replaceState(null, '', h.toString() ? '#' + h : location.pathname);
  }

  function readHash() {
    const h = new URLSearchParams(location.hash.slice(1));
    state.conv = h.has('c') ? h.get('c') : null;
    state.inter = h.has('i') ? h.get('i') : null;
  }

  // ---- conversations

  async function loadConversations(more) {
    const p = filterParams();
    if (more) {
      p.cursor = state.convCursor;
      p.limit = 50;
    } else {
      p.limit = Math.min(Math.max(state.shown, 50), 500);
    }
    const page = await api('/v1/view/conversations', p);
    state.convs = more ? state.convs.concat(page.conversations) : page.conversations;
    state.convCursor = page.next_cursor || '';
    state.shown = state.convs.length;
    renderConversations();
  }

  function renderConversations() {
    const list = $('conv-list');
    list.replaceChildren();
    for (const c of state.convs) {
      const meta = el('div', 'conv-meta',
        c.user ? withTitle(el('span', 'user', c.user), 'user') : null,
        c.session_id ? withTitle(el('span', 'session', c.session_id), 'session') : null,
        el('span', null, count(c.interactions, 'interaction', 'interactions')),
        c.total_tokens ? el('span', null, count(c.total_tokens, 'token', 'tokens')) : null,
        c.errors ? el('span', 'errors', count(c.errors, 'error', 'errors')) : null);
      const row = el('button', 'conv-row',
        el('div', 'conv-top',
          el('span', 'conv-id', c.conversation_id || '(no conversation)'),
          withTitle(el('time', null, ago(c.last_ms)), stamp(c.last_ms))),
        c.preview ? el('div', 'conv-preview', c.preview) : null,
        meta);
      row.type = 'button';
      row.dataset.id = c.conversation_id;
      if (c.errors) row.classList.add('failed');
      if (c.conversation_id === state.conv) row.classList.add('selected');
      row.addEventListener('click', () => selectConversation(c.conversation_id));
      list.append(el('li', null, row));
    }
    $('conv-empty').hidden = state.convs.length > 0;
    $('conv-more').hidden = !state.convCursor;
  }

  async function selectConversation(id) {
    state.conv = id;
    state.inter = null;
    state.steps = [];
    state.open.clear();
    saveHash();
    renderConversations();
    await loadInteractions(false);
  }

  // ---- interactions of the selected conversation

  async function loadInteractions(more) {
    if (state.conv === null) return renderDetail();
    const p = { conversation_id: state.conv, contract: $('f-contract').value };
    if (more) {
      p.cursor = state.interCursor;
    } else {
      p.limit = Math.min(Math.max(state.inters.length, 100), 1000);
    }
    const page = await api('/v1/view/interactions', p);
    state.inters = more ? state.inters.concat(page.interactions) : page.interactions;
    state.interCursor = page.next_cursor || '';
    if (state.inter !== null && !state.inters.some((i) => i.interaction_id === state.inter)) {
      state.inter = null;
    }
    if (state.inter !== null) await loadSteps();
    renderDetail();
  }

  async function loadSteps() {
    let steps = [];
    let cursor = '';
    let more = false;
    for (let n = 0; n < STEP_PAGES; n++) {
      const page = await api('/v1/view/interaction', {
        id: state.inter, conversation_id: state.conv, contract: $('f-contract').value, cursor,
      });
      steps = steps.concat(page.steps);
      cursor = page.next_cursor || '';
      more = cursor !== '';
      if (!more) break;
    }
    state.steps = steps;
    state.stepsMore = more;
  }

  async function selectInteraction(id) {
    if (state.inter === id) {
      state.inter = null;
      state.steps = [];
    } else {
      state.inter = id;
      state.open.clear();
      await loadSteps();
    }
    saveHash();
    renderDetail();
  }

  function renderDetail() {
    const main = $('detail');
    main.replaceChildren();
    if (state.conv === null) {
      main.append(el('p', 'empty', 'Select a conversation.'));
      return;
    }
    const c = state.convs.find((x) => x.conversation_id === state.conv);
    const head = el('div', 'conv-head',
      el('h2', null, state.conv || '(no conversation)'),
      c ? el('div', 'conv-meta',
        c.user ? el('span', 'user', c.user) : null,
        c.session_id ? el('span', 'session', 'session ' + c.session_id) : null,
        el('span', null, count(c.interactions, 'interaction', 'interactions')),
        el('span', null, count(c.records, 'record', 'records')),
        c.total_tokens ? el('span', null, count(c.total_tokens, 'token', 'tokens')) : null,
        c.errors ? el('span', 'errors', count(c.errors, 'error', 'errors')) : null,
        c.contracts && c.contracts.length ? el('span', 'muted', c.contracts.join(', ')) : null) : null);
    main.append(head);
    if (!state.inters.length) {
      main.append(el('p', 'empty', 'No interactions in this conversation (with these filters).'));
    }
    for (const it of state.inters) {
      const selected = it.interaction_id === state.inter;
      const hd = el('button', 'interaction-head',
        el('div', 'ih-top',
          el('span', 'ih-name', it.name || 'interaction'),
          withTitle(el('time', null, stamp(it.start_ms)), it.interaction_id),
          el('span', 'muted', duration(Math.max(0, it.end_ms - it.start_ms))),
          el('span', 'muted', tokens(it)),
          el('span', 'muted', count(it.records, 'step', 'steps')),
          it.errors ? el('span', 'errors', count(it.errors, 'error', 'errors')) : null),
        it.input ? el('div', 'ih-line', el('span', 'role', 'user'), it.input) : null,
        it.output ? el('div', 'ih-line', el('span', 'role', 'assistant'), it.output) : null);
      hd.type = 'button';
      hd.dataset.id = it.interaction_id;
      hd.setAttribute('aria-expanded', String(selected));
      hd.addEventListener('click', () => selectInteraction(it.interaction_id));
      const sec = el('section', 'interaction', hd);
      if (it.errors) sec.classList.add('failed');
      if (selected) {
        sec.classList.add('selected');
        sec.append(renderTree());
      }
      main.append(sec);
    }
    if (state.interCursor) {
      const more = el('button', 'more', 'Load more interactions');
      more.type = 'button';
      more.addEventListener('click', () => loadInteractions(true).catch(showError));
      main.append(more);
    }
  }

  // ---- the tree of steps

  function order(a, b) {
    return (a.start_ms || 0) - (b.start_ms || 0) || Number(a.uid) - Number(b.uid);
  }

  // treeOf links steps by parent_uid, else by parent_ref (a parent in another page), and
  // walks them depth first; steps caught in a cycle are listed at the top.
  function treeOf(steps) {
    const byUid = new Map(steps.map((s) => [s.uid, s]));
    const byRef = new Map();
    for (const s of steps) if (s.ref) byRef.set(s.ref, s.uid);
    const kids = new Map();
    const roots = [];
    for (const s of steps) {
      let p = s.parent_uid && byUid.has(s.parent_uid) ? s.parent_uid : null;
      if (!p && s.parent_ref && byRef.has(s.parent_ref)) p = byRef.get(s.parent_ref);
      if (p && p !== s.uid) {
        if (!kids.has(p)) kids.set(p, []);
        kids.get(p).push(s);
      } else {
        roots.push(s);
      }
    }
    const out = [];
    const seen = new Set();
    const walk = (s, depth) => {
      if (seen.has(s.uid)) return;
      seen.add(s.uid);
      out.push({ s, depth });
      for (const k of (kids.get(s.uid) || []).sort(order)) walk(k, depth + 1);
    };
    roots.sort(order).forEach((r) => walk(r, 0));
    for (const s of steps.slice().sort(order)) walk(s, 0);
    return out;
  }

  function renderTree() {
    const box = el('div', 'tree');
    const rows = treeOf(state.steps);
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const { s } of rows) {
      if (!s.start_ms) continue;
      t0 = Math.min(t0, s.start_ms);
      t1 = Math.max(t1, s.end_ms || s.start_ms + (s.latency_ms || 0));
    }
    const span = Math.max(t1 - t0, 1);
    box.append(el('div', 'tree-head',
      el('span', null, 'step'), el('span', null, 'model'), el('span', null, 'tokens'),
      el('span', null, 'latency'), el('span', 'timeline-head', isFinite(t0) ? duration(t1 - t0) + ' total' : '')));
    for (const { s, depth } of rows) {
      const open = state.open.has(s.uid);
      const toggle = el('span', 'toggle', open ? '▾' : '▸');
      const task = TASKS.includes(s.task) ? s.task : 'other';
      const name = el('span', 'step-name', toggle, el('span', 'badge task-' + task, s.task || s.kind),
        el('span', 'name', s.name),
        s.kind !== 'record' ? el('span', 'kind', s.kind) : null,
        s.provisional ? el('span', 'kind', 'provisional') : null);
      name.style.paddingLeft = (depth * 18) + 'px';
      const bar = el('span', 'bar');
      if (s.start_ms && isFinite(t0)) {
        const end = s.end_ms || s.start_ms + (s.latency_ms || 0);
        bar.style.left = ((s.start_ms - t0) / span * 100) + '%';
        bar.style.width = Math.max((end - s.start_ms) / span * 100, 0.5) + '%';
      } else {
        bar.classList.add('unknown');
      }
      const row = el('button', 'step-row', name,
        el('span', 'step-model', s.model),
        el('span', 'step-tokens', tokens(s)),
        el('span', 'step-latency', duration(s.latency_ms)),
        withTitle(el('span', 'timeline', bar), stamp(s.start_ms)));
      row.type = 'button';
      row.dataset.uid = s.uid;
      row.dataset.task = s.task;
      row.setAttribute('aria-expanded', String(open));
      if (s.error) row.classList.add('failed');
      if (open) row.classList.add('open');
      row.addEventListener('click', () => {
        if (state.open.has(s.uid)) state.open.delete(s.uid); else state.open.add(s.uid);
        renderDetail();
      });
      box.append(row);
      if (s.error && !open) box.append(el('div', 'step-error', s.error));
      if (open) box.append(renderStep(s));
    }
    if (state.stepsMore) box.append(el('p', 'muted', 'More steps than shown (the first ' + rows.length + ').'));
    return box;
  }

  function renderStep(s) {
    const d = el('div', 'step-details');
    d.dataset.uid = s.uid;
    if (s.error) d.append(el('div', 'error-box', el('strong', null, 'Error: '), s.error));
    const io = el('div', 'io',
      el('div', 'input', el('h4', null, 'Input'), renderContent(s.input, 'user')),
      el('div', 'output', el('h4', null, 'Output'), renderContent(s.output, 'assistant')));
    d.append(io);
    if (s.feedback_tag || s.feedback_text) {
      d.append(el('div', 'feedback', el('h4', null, 'Feedback'), el('span', 'badge', s.feedback_tag || ''), ' ', s.feedback_text || ''));
    }
    const facts = [
      ['id', s.id], ['parent', s.parent_id], ['contract', s.contract + ' / ' + s.kind],
      ['provider', s.provider], ['start', stamp(s.start_ms)], ['end', stamp(s.end_ms)],
      ['status', s.status], ['user', s.user], ['session', s.session_id], ['received', s.received_at],
    ];
    const meta = s.metadata || {};
    const table = el('table', 'meta');
    for (const [k, v] of facts) if (v) table.append(el('tr', null, el('th', null, k), el('td', null, v)));
    for (const k of Object.keys(meta).sort()) {
      const v = meta[k];
      table.append(el('tr', null, el('th', null, k),
        el('td', null, typeof v === 'string' ? v : JSON.stringify(v))));
    }
    d.append(el('details', null, el('summary', null, 'Details and metadata'), table));
    return d;
  }

  // renderContent lays out an input or output: chat messages, documents, other JSON, or
  // plain text, always as text.
  function renderContent(text, role) {
    const box = el('div', 'content');
    if (!text) {
      box.append(el('span', 'muted', '(none)'));
      return box;
    }
    let v;
    const t = text.trim();
    if (t.startsWith('[') || t.startsWith('{')) {
      try { v = JSON.parse(t); } catch (e) { v = undefined; }
    }
    const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
    if (Array.isArray(v) && v.length && v.every((m) => isObj(m) && typeof m.role === 'string')) {
      for (const m of v) box.append(renderMessage(m));
    } else if (Array.isArray(v) && v.length && v.every((d) => isObj(d) && ('content' in d || 'text' in d))) {
      v.forEach((doc, i) => box.append(renderDocument(doc, i)));
    } else if (v !== undefined) {
      box.append(el('pre', 'json', JSON.stringify(v, null, 2)));
    } else {
      box.append(el('div', 'msg role-' + role, el('pre', 'text', text)));
    }
    return box;
  }

  function renderMessage(m) {
    const role = ['system', 'user', 'assistant', 'tool'].includes(m.role) ? m.role : 'other';
    const msg = el('div', 'msg role-' + role,
      el('div', 'msg-head', m.role, m.name ? ' · ' + m.name : '', m.tool_call_id ? ' · call ' + m.tool_call_id : ''));
    const c = m.content;
    if (typeof c === 'string') {
      msg.append(el('pre', 'text', c));
    } else if (Array.isArray(c)) {
      for (const part of c) {
        const txt = part && (typeof part.text === 'string' ? part.text : typeof part.content === 'string' ? part.content : null);
        msg.append(txt !== null && txt !== undefined ? el('pre', 'text', txt) : el('pre', 'json', JSON.stringify(part, null, 2)));
      }
    } else if (c !== undefined && c !== null) {
      msg.append(el('pre', 'json', JSON.stringify(c, null, 2)));
    }
    for (const tc of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
      const fn = tc.function || {};
      const args = tc.arguments !== undefined ? tc.arguments : fn.arguments;
      msg.append(el('div', 'tool-call', el('span', 'badge task-tool', 'tool call'), ' ',
        tc.name || fn.name || '', tc.id ? ' (' + tc.id + ')' : '',
        el('pre', 'json', typeof args === 'string' ? args : JSON.stringify(args, null, 2))));
    }
    if (m.finish_reason) msg.append(el('div', 'muted', 'finish: ' + m.finish_reason));
    return msg;
  }

  function renderDocument(d, i) {
    const body = typeof d.content === 'string' ? d.content : typeof d.text === 'string' ? d.text : JSON.stringify(d.content);
    return el('div', 'doc',
      el('div', 'doc-head', 'document ' + (i + 1), d.id !== undefined ? ' · ' + d.id : '',
        typeof d.score === 'number' ? ' · score ' + d.score.toFixed(3) : ''),
      el('pre', 'text', body));
  }

  // ---- refresh

  function showError(err) {
    $('status').textContent = String(err.message || err);
    $('status').classList.add('errors');
  }

  async function refresh() {
    if (state.busy) return;
    state.busy = true;
    try {
      await loadConversations(false);
      if (state.conv !== null) await loadInteractions(false);
      else renderDetail();
      const st = await api('/v1/stats');
      $('status').classList.remove('errors');
      $('status').textContent = count(st.stored, 'record', 'records');
      $('status').setAttribute('title', 'updated ' + new Date().toLocaleTimeString());
    } catch (err) {
      showError(err);
    } finally {
      state.busy = false;
    }
  }

  async function poll() {
    if (!$('auto').checked || state.busy) return;
    try {
      const r = await api('/v1/view/revision');
      if (r.revision !== state.revision) {
        state.revision = r.revision;
        await refresh();
      }
    } catch (err) {
      showError(err);
    }
  }

  let debounce = 0;
  function filtersChanged(delay) {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      state.shown = 50;
      refresh();
    }, delay);
  }

  async function start() {
    readHash();
    for (const id of ['f-q', 'f-user', 'f-session']) $(id).addEventListener('input', () => filtersChanged(300));
    for (const id of ['f-contract', 'f-range', 'f-errors']) $(id).addEventListener('change', () => filtersChanged(0));
    $('filters').addEventListener('submit', (e) => { e.preventDefault(); filtersChanged(0); });
    $('conv-more').addEventListener('click', () => loadConversations(true).catch(showError));
    try {
      const r = await api('/v1/view/revision');
      state.revision = r.revision;
      $('logout').hidden = !r.token_required;
    } catch (err) {
      showError(err);
    }
    await refresh(); // loads the conversation and interaction named in the address too
    setInterval(poll, POLL_MS);
  }

  start();
})();
