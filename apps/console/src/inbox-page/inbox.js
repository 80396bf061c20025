/* global document, fetch, EventSource, location, prompt */
// The agent inbox. Served from the console's origin as a file: the page's CSP allows no inline script.
'use strict';

let me = null;
let current = null;
const $ = (id) => document.getElementById(id);
/** Channels as people call them. */
const channelName = (channel) => ({ wecom: '企业微信', dingtalk: '钉钉', 'wecom-kf': '微信客服' })[channel] || channel;

/** Calls the console API; a refusal throws an Error carrying the server's message (Chinese first). */
async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { 'content-type': 'application/json', ...(me ? { 'x-csrf-token': me.csrf } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok)
    throw Object.assign(new Error(data.message || `请求失败（HTTP ${res.status}）`), {
      status: res.status,
      code: data.error,
    });
  return data;
}

/** Shows a message in the page (errors in red, confirmations in green) until the next action. */
function notify(text, kind = 'error') {
  $('notice-text').textContent = text;
  $('notice').className = kind === 'info' ? 'info' : '';
  $('notice').hidden = false;
}
function clearNotice() {
  $('notice').hidden = true;
}
const messageOf = (error) => (error && error.message) || '操作失败，请稍后重试。';

/** Runs an agent's action: a refusal (409 held by another agent, 400 bad input…) is shown, then the view refreshed. */
async function act(action) {
  clearNotice();
  try {
    await action();
  } catch (error) {
    notify(messageOf(error));
  }
  if (current) await refresh(current);
}

const ago = (s) => (s < 60 ? s + ' 秒' : Math.round(s / 60) + ' 分钟');
function item(c) {
  const div = document.createElement('div');
  div.className = 'queue-item' + (current === c.conversationId ? ' selected' : '');
  div.dataset.id = c.conversationId;
  const q = document.createElement('div');
  q.className = 'q';
  q.textContent = c.question || '(无文字)';
  const m = document.createElement('div');
  m.className = 'meta';
  m.textContent = `${channelName(c.channel)} · ${c.asker} · ${c.state === 'waiting' ? '已等待 ' + ago(c.waitingSeconds) : '客服 ' + c.agentId}`;
  div.append(q, m);
  div.addEventListener('click', () => {
    clearNotice();
    void refresh(c.conversationId);
  });
  return div;
}

async function loadQueue() {
  const q = await api('GET', '/api/conversations');
  for (const [id, list] of [
    ['waiting', q.waiting],
    ['with-agent', q.withAgent],
  ]) {
    const el = $(id);
    el.replaceChildren(...list.map(item));
    if (!list.length) {
      const e = document.createElement('div');
      e.className = 'empty';
      e.textContent = '暂无';
      el.append(e);
    }
  }
}

/** Shows a conversation: the reply box and the holder's buttons only when this agent holds it. */
async function show(id) {
  current = id;
  const c = await api('GET', '/api/conversations/' + encodeURIComponent(id));
  $('detail-title').textContent =
    `${channelName(c.channel)} · ${c.asker} · ${c.state === 'waiting' ? '等待接入' : c.state === 'with-agent' ? '处理中：' + c.agentId : '已结束'}`;
  const mine = c.state === 'with-agent' && c.agentId === me.username;
  $('claim').hidden = c.state !== 'waiting';
  for (const b of ['resolve', 'handback', 'transfer', 'transfer-to', 'save-faq', 'composer']) $(b).hidden = !mine;
  $('history').replaceChildren(
    ...c.history.map((e) => {
      const div = document.createElement('div');
      div.className = 'entry ' + e.from;
      div.textContent = e.text;
      if (e.from === 'agent') {
        const d = document.createElement('span');
        d.className = 'delivery';
        d.textContent = { queued: '发送中…', sent: '已送达', failed: '发送失败' }[e.delivery] || '';
        div.append(d);
      }
      return div;
    }),
  );
  $('history').scrollTop = $('history').scrollHeight;
  $('candidates').hidden = !c.candidates.length;
  $('candidates').textContent =
    '机器人候选：' +
    c.candidates
      .map((x, i) => `${i + 1}. ${x.question}${x.confidence != null ? ' (' + x.confidence.toFixed(3) + ')' : ''}`)
      .join('  ');
  await loadQueue();
}

/** show() for event handlers and after actions: a failure to load is shown, never left in the browser console. */
async function refresh(id) {
  try {
    await show(id);
  } catch (error) {
    notify(messageOf(error));
  }
}

async function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('whoami').textContent =
    me.displayName + (me.role === 'admin' && !me.displayName.includes('管理员') ? '（管理员）' : '');
  const agents = await api('GET', '/api/agents');
  $('transfer-to').replaceChildren(
    ...agents
      .filter((a) => a.username !== me.username)
      .map((a) => {
        const o = document.createElement('option');
        o.value = a.username;
        o.textContent = a.displayName;
        return o;
      }),
  );
  await loadQueue();
  const events = new EventSource('/api/events');
  for (const t of ['escalated', 'claimed', 'resolved', 'transferred', 'message', 'delivery']) {
    events.addEventListener(t, (ev) => {
      const e = JSON.parse(ev.data);
      if (current && e.conversationId === current) void refresh(current);
      else loadQueue().catch((error) => notify(messageOf(error)));
    });
  }
  // Too many live queues open for this session: the server closed this (the oldest) one. Reconnecting
  // would only close another tab's, so this page stops and says why.
  events.addEventListener('evicted', (ev) => {
    events.close();
    notify(JSON.parse(ev.data).message + ' 刷新页面可恢复实时更新。');
  });
}

const path = (action) => `/api/conversations/${encodeURIComponent(current)}/${action}`;
const on = (id, handler) => $(id).addEventListener('click', handler);

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    me = await api('POST', '/api/login', { username: $('login-username').value, password: $('login-password').value });
  } catch (error) {
    $('login-error').textContent = messageOf(error);
    return;
  }
  await start().catch((error) => notify(messageOf(error)));
});
on('logout', async () => {
  await api('POST', '/api/logout').catch(() => undefined);
  location.reload();
});
on('notice-close', clearNotice);
on('claim', () => act(() => api('POST', path('claim'))));
on('reply-send', () =>
  act(async () => {
    const text = $('reply-text').value.trim();
    if (!text) return;
    await api('POST', path('reply'), { text });
    $('reply-text').value = '';
  }),
);
on('resolve', () => act(() => api('POST', path('resolve'))));
on('handback', () => act(() => api('POST', path('handback'))));
on('transfer', () => act(() => api('POST', path('transfer'), { to: $('transfer-to').value })));
on('save-faq', () =>
  act(async () => {
    const c = await api('GET', '/api/conversations/' + encodeURIComponent(current));
    const question = prompt('问题', c.question);
    if (!question) return;
    const lastReply = [...c.history].reverse().find((e) => e.from === 'agent');
    const answer = prompt('答案', lastReply ? lastReply.text : '');
    if (!answer) return;
    const saved = await api('POST', path('save-faq'), { question, answer });
    notify(saved.message || '已保存为 FAQ。', 'info');
  }),
);

api('GET', '/api/me').then(
  (session) => {
    me = session;
    return start().catch((error) => notify(messageOf(error)));
  },
  () => {
    $('login').hidden = false;
  },
);
