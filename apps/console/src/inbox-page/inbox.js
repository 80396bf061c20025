/* global document, window, fetch, EventSource, location, setTimeout, clearTimeout, Notification */
// The agent inbox. Served from the console's origin as a file: the page's CSP allows no inline script.
// Its words come from the console's message catalog (/inbox/messages.js, loaded first).
'use strict';

const T = globalThis.INBOX_TEXT;
/** A catalog text with its {placeholders} filled. */
const t = (key, vars = {}) => String(T[key]).replace(/\{(\w+)\}/g, (_m, name) => String(vars[name] ?? ''));

let me = null;
let current = null;
let view = 'waiting';
let queue = { waiting: [], withAgent: [] };
let agents = new Map();
let quickReplies = [];
/** Admins: the FAQ drafts waiting for review, and the live entry each phrasing draft joins (by draft id). */
let review = { drafts: [], entries: {} };
/** Waiting conversations already announced (sound, notification): a reload of the list announces nothing. */
const announced = new Set();
/** Replies typed here and not yet accepted by the server (or refused), per conversation: never lost. */
const pending = new Map();
let pendingSeq = 0;

const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};
const channelName = (channel) => T.channels[channel] || channel;
const agentName = (id) => (id && agents.get(id)) || id || '';
const reasonText = (reason) => T.reasons[reason] || t('reasonOther', { reason });
const pad = (n) => String(n).padStart(2, '0');
/** A time as people read it: 14:03 today, 11月29日 14:03 before. */
function timeOf(at) {
  const d = new Date(at);
  const now = new Date();
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.toDateString() === now.toDateString() ? clock : `${d.getMonth() + 1}月${d.getDate()}日 ${clock}`;
}
const duration = (s) =>
  s < 60
    ? t('seconds', { n: s })
    : s < 3600
      ? t('minutes', { n: Math.round(s / 60) })
      : t('hours', { n: Math.round(s / 3600) });
/** A candidate's confidence as people read it: 匹配度 92% (a probability), or a keyword match (a BM25 score). */
function scoreText(confidence) {
  if (typeof confidence !== 'number') return '';
  return confidence >= 0 && confidence <= 1 ? t('score', { percent: Math.round(confidence * 100) }) : T.keywordScore;
}

/** Calls the console API; a refusal throws an Error carrying the server's message (Chinese first). */
async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: { 'content-type': 'application/json', ...(me ? { 'x-csrf-token': me.csrf } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw Object.assign(new Error(T.networkFailed), { status: 0 });
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok)
    throw Object.assign(new Error(data.message || t('requestFailed', { status: res.status })), {
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
const messageOf = (error) => (error && error.message) || T.actionFailed;

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

// ---- the lists -------------------------------------------------------------------------------------------

const mine = () => queue.withAgent.filter((c) => c.agentId === me.username);
function listed() {
  if (view === 'mine') return mine();
  if (view === 'all' && me.role === 'admin') return [...queue.waiting, ...queue.withAgent];
  return queue.waiting;
}

function item(c) {
  const div = el('button', 'queue-item' + (current === c.conversationId ? ' selected' : ''));
  div.type = 'button';
  div.dataset.id = c.conversationId;
  div.append(el('span', 'q', c.question || T.noText));
  const parts = [channelName(c.channel), c.asker];
  if (c.group) parts.push(t('groupChat', { group: c.group }));
  parts.push(
    c.state === 'waiting'
      ? t('waitedFor', { time: duration(c.waitingSeconds) })
      : t('heldBy', { agent: agentName(c.agentId) }),
  );
  div.append(
    el('span', 'meta', parts.join(' · ')),
    el('span', 'meta', t('escalatedAtShort', { time: timeOf(c.escalatedAt) })),
  );
  div.addEventListener('click', () => {
    clearNotice();
    void refresh(c.conversationId);
  });
  return div;
}

function renderQueue() {
  // The review view replaces the conversation list; its cards are drawn when the drafts load, not here,
  // so a reason being typed survives the live queue's updates.
  $('queue').hidden = view === 'review';
  $('review').hidden = view !== 'review';
  const list = listed();
  $('queue').replaceChildren(...(list.length ? list.map(item) : [el('div', 'empty', T.empty)]));
  $('count-waiting').textContent = String(queue.waiting.length);
  $('count-mine').textContent = String(mine().length);
  $('count-all').textContent = String(queue.waiting.length + queue.withAgent.length);
  $('count-review').textContent = String(review.drafts.length);
  for (const button of document.querySelectorAll('.view')) {
    const selected = button.dataset.view === view;
    button.classList.toggle('selected', selected);
    button.setAttribute('aria-selected', String(selected));
  }
  // The tab's title counts who is waiting, so a tab in the background still says so.
  document.title = queue.waiting.length ? t('titleWaiting', { count: queue.waiting.length }) : T.appTitle;
}

async function loadQueue() {
  queue = await api('GET', '/api/conversations');
  renderQueue();
  return queue;
}

// ---- announcing a new waiting conversation ---------------------------------------------------------------

let audio = null;
/** Browsers let a page play sound only after a gesture: the first click or key press prepares it. */
function prepareSound() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
}
function chime() {
  if (!audio) return;
  // A context made before the page was allowed sound starts suspended; a later gesture lets it resume.
  if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = 880;
  gain.gain.value = 0.08;
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.18);
}
function showNotificationButton() {
  const supported = 'Notification' in window;
  $('notifications').hidden = !supported || Notification.permission === 'granted';
  $('notifications').disabled = supported && Notification.permission === 'denied';
  if (supported && Notification.permission === 'denied') $('notifications').title = T.notificationsBlocked;
}
function announce(c) {
  if (announced.has(c.conversationId)) return;
  announced.add(c.conversationId);
  chime();
  if ('Notification' in window && Notification.permission === 'granted') {
    const note = new Notification(T.newWaitingTitle, {
      body: t('newWaitingBody', { channel: channelName(c.channel), user: c.asker, question: c.question || T.noText }),
      tag: c.conversationId,
    });
    note.onclick = () => {
      window.focus();
      void refresh(c.conversationId);
    };
  }
}

// ---- one conversation ------------------------------------------------------------------------------------

function entryLabel(e) {
  if (e.from === 'agent') return agentName(e.agentId) || T.from.agent;
  if (e.from === 'bot' && e.decision === 'answer') return T.botAnswered;
  if (e.from === 'bot' && e.decision === 'suggest') return T.botSuggested;
  if (e.from === 'bot' && e.decision === 'escalate') return T.botHandedOver;
  return T.from[e.from] || e.from;
}

/** Failed replies already sent again from here: their 重试 gives way to 已重试 (one retry each). */
const retried = new Set();
function retryButton(text, entryId) {
  if (entryId && retried.has(entryId)) return el('span', 'retried', T.retried);
  const retry = el('button', 'retry', T.retry);
  retry.type = 'button';
  retry.addEventListener('click', () => {
    if (entryId) retried.add(entryId);
    void sendReply(text);
  });
  return retry;
}

function entryNode(e, held) {
  const div = el('div', `entry ${e.from}${e.earlier ? ' earlier' : ''}`);
  div.dataset.id = e.id;
  const head = el('span', 'entry-head');
  head.append(el('span', 'who', entryLabel(e)), el('time', 'at', timeOf(e.at)));
  if (e.from === 'bot' && scoreText(e.confidence)) head.append(el('span', 'score', scoreText(e.confidence)));
  div.append(head, el('span', 'text', e.text));
  if (e.from === 'agent' && e.delivery) {
    const d = el('span', `delivery ${e.delivery}`, T.delivery[e.delivery] || '');
    if (e.delivery === 'failed' && held) d.append(retryButton(e.text, e.id));
    div.append(d);
  }
  return div;
}

function pendingNode(p) {
  const div = el('div', `entry agent pending ${p.state}`);
  div.dataset.pending = p.id;
  const head = el('span', 'entry-head');
  head.append(el('span', 'who', me.displayName), el('time', 'at', timeOf(p.at)));
  div.append(head, el('span', 'text', p.text));
  const d = el(
    'span',
    `delivery ${p.state === 'failed' ? 'failed' : 'sending'}`,
    p.state === 'failed' ? t('sendFailed', { reason: p.error }) : T.delivery.sending,
  );
  if (p.state === 'failed') d.append(retryButton(p.text));
  // While the reply box is there, a refused reply can go back into it to be changed (too long, say).
  if (p.state === 'failed' && !$('composer').hidden) {
    const edit = el('button', 'edit', T.editReply);
    edit.type = 'button';
    edit.addEventListener('click', () => {
      const list = pending.get(current) || [];
      pending.set(
        current,
        list.filter((x) => x !== p),
      );
      div.remove();
      const box = $('reply-text');
      box.value = box.value ? `${box.value}\n${p.text}` : p.text;
      box.focus();
    });
    d.append(edit);
  }
  div.append(d);
  return div;
}

function infoRow(term, value) {
  const row = el('div', 'info-row');
  row.append(el('dt', '', term), el('dd', '', value));
  return row;
}

function renderDetail(c) {
  const held = c.state === 'with-agent' && c.agentId === me.username;
  const state =
    c.state === 'waiting'
      ? T.stateWaiting
      : c.state === 'with-agent'
        ? t('stateWithAgent', { agent: agentName(c.agentId) })
        : T.stateResolved;
  $('detail-title').textContent = `${channelName(c.channel)} · ${c.asker} · ${state}`;
  $('claim').hidden = c.state !== 'waiting';
  for (const b of ['resolve', 'handback', 'transfer', 'transfer-to', 'save-faq', 'composer']) $(b).hidden = !held;
  // Linking what the asker wrote to an entry: the holder, or an admin (whose link is live at once).
  $('link-entry').hidden = !held && me.role !== 'admin';
  // An admin may close what someone else holds (the API allows it); an agent only their own.
  if (me.role === 'admin' && c.state !== 'resolved') $('resolve').hidden = false;

  const info = [
    infoRow(T.infoChannel, channelName(c.channel)),
    infoRow(T.infoUser, c.asker),
    infoRow(T.infoChat, c.group ? t('groupChat', { group: c.group }) : T.directChat),
    infoRow(
      T.infoEscalatedAt,
      timeOf(c.escalatedAt) + (c.state === 'waiting' ? t('infoWaited', { time: duration(c.waitingSeconds) }) : ''),
    ),
    infoRow(T.infoReason, reasonText(c.reason)),
  ];
  if (c.agentId) info.push(infoRow(T.infoAgent, agentName(c.agentId)));
  $('asker-info').replaceChildren(...info);
  $('asker-info').hidden = false;

  // One timeline: the turns with the bot before the handover and the handover's own history (which also
  // holds earlier handovers of the conversation), in time order, with a line where this handover began.
  const timeline = [...(c.earlier || []).map((e) => ({ ...e, earlier: true })), ...c.history]
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
    .map(({ e }) => e);
  const nodes = [];
  if (timeline.length && timeline[0].at < c.escalatedAt) nodes.push(el('div', 'divider', T.earlierDivider));
  let divided = false;
  for (const e of timeline) {
    if (!divided && e.at >= c.escalatedAt && !e.earlier) {
      nodes.push(
        el(
          'div',
          'divider escalated',
          t('escalatedDivider', { time: timeOf(c.escalatedAt), reason: reasonText(c.reason) }),
        ),
      );
      divided = true;
    }
    nodes.push(entryNode(e, held));
  }
  for (const p of pending.get(c.conversationId) || []) nodes.push(pendingNode(p));
  const history = $('history');
  const atBottom = history.scrollHeight - history.scrollTop - history.clientHeight < 40;
  history.replaceChildren(...nodes);
  if (atBottom || history.dataset.id !== c.conversationId) history.scrollTop = history.scrollHeight;
  history.dataset.id = c.conversationId;

  $('candidates').hidden = !c.candidates.length;
  const list = el('ol');
  for (const x of c.candidates) {
    const li = el('li');
    li.append(el('span', 'cq', x.question));
    if (scoreText(x.confidence)) li.append(el('span', 'score', scoreText(x.confidence)));
    if (held) {
      const use = el('button', 'use', T.useCandidate);
      use.type = 'button';
      use.addEventListener('click', () => insertIntoReply(x.answer));
      li.append(use);
    }
    list.append(li);
  }
  $('candidates').replaceChildren(el('div', 'candidates-title', T.candidatesTitle), list);
}

/** Shows a conversation: the reply box and the holder's buttons only when this agent holds it. */
async function show(id) {
  current = id;
  document.body.classList.add('detail-open');
  const c = await api('GET', '/api/conversations/' + encodeURIComponent(id));
  if (current !== id) return;
  renderDetail(c);
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

// ---- replying --------------------------------------------------------------------------------------------

function insertIntoReply(text) {
  const box = $('reply-text');
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  box.value = box.value.slice(0, start) + text + box.value.slice(end);
  box.focus();
  box.selectionStart = box.selectionEnd = start + text.length;
}

/**
 * Sends a reply: it shows at once as 发送中…, becomes the server's entry (then 已送达 or 发送失败 as the
 * channel reports), or stays in the conversation as 发送失败 with the reason and 重试 — never lost.
 */
async function sendReply(text) {
  const conversationId = current;
  if (!conversationId || !text.trim()) return;
  clearNotice();
  const list = pending.get(conversationId) || [];
  const existing = list.find((p) => p.text === text && p.state === 'failed');
  const p = existing || { id: `p${++pendingSeq}`, text, at: Date.now() };
  p.state = 'sending';
  p.at = Date.now();
  if (!existing) list.push(p);
  pending.set(conversationId, list);
  const node = document.querySelector(`[data-pending="${p.id}"]`);
  if (node) node.replaceWith(pendingNode(p));
  else $('history').append(pendingNode(p));
  $('history').scrollTop = $('history').scrollHeight;
  try {
    await api('POST', `/api/conversations/${encodeURIComponent(conversationId)}/reply`, { text });
    pending.set(
      conversationId,
      (pending.get(conversationId) || []).filter((x) => x !== p),
    );
  } catch (error) {
    p.state = 'failed';
    p.error = messageOf(error);
    notify(messageOf(error));
  }
  if (current === conversationId) await refresh(conversationId);
}

// ---- dialogs (instead of prompt/alert/confirm) -----------------------------------------------------------

/** Asks a yes/no question in the page; resolves true on 确定. */
function confirmInPage(text) {
  const dialog = $('confirm-dialog');
  $('confirm-text').textContent = text;
  return new Promise((resolve) => {
    const done = (answer) => {
      $('confirm-form').removeEventListener('submit', ok);
      $('confirm-cancel').removeEventListener('click', cancel);
      dialog.removeEventListener('cancel', cancel);
      dialog.close();
      resolve(answer);
    };
    const ok = (event) => {
      event.preventDefault();
      done(true);
    };
    const cancel = (event) => {
      event.preventDefault();
      done(false);
    };
    $('confirm-form').addEventListener('submit', ok);
    $('confirm-cancel').addEventListener('click', cancel);
    dialog.addEventListener('cancel', cancel);
    dialog.showModal();
  });
}

async function openFaqDialog() {
  clearNotice();
  let c;
  try {
    c = await api('GET', '/api/conversations/' + encodeURIComponent(current));
  } catch (error) {
    return notify(messageOf(error));
  }
  const lastReply = [...c.history].reverse().find((e) => e.from === 'agent');
  $('faq-question').value = c.question;
  $('faq-answer').value = lastReply ? lastReply.text : '';
  $('faq-error').textContent = '';
  $('faq-dialog').showModal();
}

async function saveFaq(event) {
  event.preventDefault();
  const question = $('faq-question').value.trim();
  const answer = $('faq-answer').value.trim();
  if (!question || !answer) return void ($('faq-error').textContent = T.faqRequired);
  $('faq-save').disabled = true;
  try {
    const saved = await api('POST', `/api/conversations/${encodeURIComponent(current)}/save-faq`, { question, answer });
    $('faq-dialog').close();
    notify(saved.message, 'info');
  } catch (error) {
    // The dialog stays open with what was typed: nothing is lost, the reason is shown where it was typed.
    $('faq-error').textContent = messageOf(error);
  } finally {
    $('faq-save').disabled = false;
  }
}

// ---- linking the asker's words to an existing entry (learning from use) ----------------------------------

/** The dialog's conversation and the asker's messages it offers; searches are numbered so a late answer is dropped. */
let linking = null;
let linkSearchSeq = 0;
/** What an entry can learn, and search for, at most (the API's MAX_LEARNED_LENGTH). */
const MAX_LEARNED = 200;
const searchable = (text) => text.trim().slice(0, MAX_LEARNED);
const linkPath = (action, query) =>
  `/api/conversations/${encodeURIComponent(linking.conversationId)}/${action}${query ? `?q=${encodeURIComponent(query)}` : ''}`;

function renderLinkCandidates(found) {
  const items = found.entries.map((x, i) => {
    const li = el('li', 'link-candidate');
    const label = el('label');
    const radio = el('input');
    radio.type = 'radio';
    radio.name = 'link-choice';
    radio.value = x.entryId;
    radio.id = `link-choice-${i}`;
    const body = el('span', 'link-body');
    body.append(el('strong', 'lq', x.question), el('span', 'lexcerpt', x.excerpt));
    const score = x.percent === null ? T.keywordScore : t('score', { percent: x.percent });
    label.append(radio, body, el('span', 'score', score));
    li.append(label);
    return li;
  });
  $('link-candidates-title').textContent = items.length ? T.linkCandidatesTitle : T.linkNoCandidates;
  $('link-candidates').replaceChildren(...items);
}

/** Searches the bot's knowledge base for what is in the search box; an empty box is said so, nothing sent. */
async function searchEntries() {
  const q = $('link-q').value.trim();
  $('link-error').textContent = '';
  if (!q) {
    $('link-candidates').replaceChildren();
    $('link-candidates-title').textContent = '';
    $('link-error').textContent = T.linkSearchRequired;
    $('link-q').focus();
    return;
  }
  const seq = ++linkSearchSeq;
  $('link-candidates-title').textContent = T.linkSearching;
  try {
    const found = await api('GET', linkPath('entry-candidates', q));
    if (seq === linkSearchSeq) renderLinkCandidates(found);
  } catch (error) {
    if (seq !== linkSearchSeq) return;
    $('link-candidates-title').textContent = '';
    $('link-candidates').replaceChildren();
    $('link-error').textContent = messageOf(error);
  }
}

async function openLinkDialog() {
  clearNotice();
  linking = { conversationId: current, messages: [] };
  let found;
  try {
    found = await api('GET', linkPath('entry-candidates'));
  } catch (error) {
    return notify(messageOf(error));
  }
  linking.messages = found.messages;
  const options = found.messages.map((m) => {
    const o = el(
      'option',
      '',
      t('linkMessageOption', { time: timeOf(m.at), text: m.text }) + (m.trigger ? T.linkTriggerMark : ''),
    );
    o.value = m.id;
    return o;
  });
  $('link-message').replaceChildren(...options);
  $('link-error').textContent = found.messages.length ? '' : T.linkNoMessages;
  $('link-result').textContent = '';
  $('link-cancel').textContent = T.cancel;
  $('link-submit').disabled = !found.messages.length;
  const chosen = found.messages.find((m) => m.id === found.toLearn);
  if (chosen) $('link-message').value = chosen.id;
  $('link-q').value = chosen ? searchable(chosen.text) : found.q;
  $('link-dialog').showModal();
  // The search ran on the asker's last question; the message proposed to learn may be another one.
  if (chosen && searchable(chosen.text) !== found.q) await searchEntries();
  else renderLinkCandidates(found);
}

async function submitLink(event) {
  event.preventDefault();
  $('link-error').textContent = '';
  $('link-result').textContent = '';
  const message = linking && linking.messages.find((m) => m.id === $('link-message').value);
  if (!message) return void ($('link-error').textContent = T.linkNoMessages);
  if (message.text.trim().length > MAX_LEARNED)
    return void ($('link-error').textContent = t('linkTooLong', { max: MAX_LEARNED }));
  const choice = document.querySelector('input[name="link-choice"]:checked');
  if (!choice) return void ($('link-error').textContent = T.linkPickEntry);
  $('link-submit').disabled = true;
  try {
    const linked = await api('POST', linkPath('link-entry'), { entryId: choice.value, question: message.text });
    // The dialog stays with the outcome in words (submitted for review, live, or already there).
    $('link-result').textContent = linked.message;
    $('link-cancel').textContent = T.close;
    if (me.role === 'admin' || me.role === 'editor') void loadReview();
  } catch (error) {
    // What was chosen stays chosen; the reason is shown where it was chosen.
    $('link-error').textContent = messageOf(error);
  } finally {
    $('link-submit').disabled = false;
  }
}

// ---- reviewing FAQ drafts (admins) -----------------------------------------------------------------------

function reviewStatus(text, kind = 'error') {
  $('review-status').textContent = text;
  $('review-status').className = kind === 'info' ? 'info' : '';
  $('review-status').hidden = !text;
}

function labelled(className, label, text) {
  const div = el('div', className);
  div.append(el('span', 'label', label), el('span', 'value', text));
  return div;
}

function draftCard(d) {
  // kind-…: not .entry, which is a message of the conversation view.
  const kind = d.kind === 'phrasing' ? 'kind-phrasing' : 'kind-entry';
  const card = el('article', `draft-card ${kind}`);
  card.dataset.id = d.id;
  const head = el('div', 'draft-head');
  head.append(el('span', `badge ${kind}`, d.kind === 'phrasing' ? T.kindPhrasing : T.kindEntry));
  const source = d.kind === 'phrasing' ? T.sources[d.source] || d.source || '' : T.sourceSaved;
  const name = d.savedBy === 'asker' ? T.savedByAsker : agentName(d.savedBy);
  head.append(el('span', 'meta', t('reviewMeta', { source, name, time: timeOf(d.savedAt) })));
  card.append(head);
  if (d.kind === 'phrasing') {
    card.append(labelled('words', T.reviewAskerWords, d.question));
    const entry = review.entries[d.id];
    const joins = el('div', 'joins');
    joins.append(el('span', 'arrow', '→ ' + T.reviewJoins));
    joins.append(el('strong', 'entry-question', entry ? entry.question : t('reviewEntryGone', { entryId: d.entryId })));
    card.append(joins, el('div', 'entry-answer', entry ? entry.answer : d.answer));
  } else {
    card.append(labelled('words', T.reviewQuestion, d.question), labelled('answer', T.reviewAnswer, d.answer));
  }
  const actions = el('div', 'draft-actions');
  const approve = el('button', 'primary approve', T.approve);
  approve.type = 'button';
  const reject = el('button', 'reject', T.reject);
  reject.type = 'button';
  actions.append(approve, reject);
  const rejectForm = el('form', 'reject-form');
  rejectForm.hidden = true;
  const reason = el('input', 'reason');
  reason.placeholder = T.rejectReason;
  reason.setAttribute('aria-label', T.rejectReason);
  reason.maxLength = 500;
  const confirmReject = el('button', 'confirm-reject', T.rejectConfirm);
  confirmReject.type = 'submit';
  const cancelReject = el('button', 'cancel-reject', T.cancel);
  cancelReject.type = 'button';
  rejectForm.append(reason, confirmReject, cancelReject);
  approve.addEventListener('click', () => decide(d, 'approve', approve));
  reject.addEventListener('click', () => {
    rejectForm.hidden = false;
    actions.hidden = true;
    reason.focus();
  });
  cancelReject.addEventListener('click', () => {
    rejectForm.hidden = true;
    actions.hidden = false;
  });
  rejectForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void decide(d, 'reject', confirmReject, { reason: reason.value.trim() });
  });
  card.append(actions, rejectForm);
  return card;
}

function renderReview() {
  $('review-list').replaceChildren(
    ...(review.drafts.length ? review.drafts.map(draftCard) : [el('div', 'empty', T.reviewEmpty)]),
  );
  $('count-review').textContent = String(review.drafts.length);
}

async function loadReview() {
  if (!me || (me.role !== 'admin' && me.role !== 'editor')) return;
  const found = await api('GET', '/api/admin/faq-drafts');
  review = { drafts: found.drafts, entries: found.entries || {} };
  renderReview();
}

/** Approves or rejects a draft; the outcome is said above the list, which is then loaded again. */
async function decide(d, action, button, body) {
  button.disabled = true;
  try {
    const done = await api('POST', `/api/admin/faq-drafts/${encodeURIComponent(d.id)}/${action}`, body);
    reviewStatus(done.message, 'info');
  } catch (error) {
    reviewStatus(messageOf(error));
    button.disabled = false;
    // Decided meanwhile or gone: the list is out of date. Otherwise the card stays as it is, reason and all.
    if (error.status !== 404 && error.status !== 409) return;
  }
  await loadReview().catch((error) => reviewStatus(messageOf(error)));
}

// ---- quick replies ---------------------------------------------------------------------------------------

function renderQuickPicker() {
  const first = el('option', '', T.quickReplyPick);
  first.value = '';
  $('quick-reply').replaceChildren(
    first,
    ...quickReplies.map((q) => {
      const o = el('option', '', q.title);
      o.value = q.id;
      return o;
    }),
  );
  $('quick-reply').hidden = !quickReplies.length;
}

function renderQuickList() {
  const items = quickReplies.map((q) => {
    const li = el('li', 'quick-item');
    li.dataset.id = q.id;
    const text = el('div', 'quick-body');
    text.append(el('strong', '', q.title), el('span', 'quick-text', q.text));
    const edit = el('button', 'quick-edit', T.quickReplyEdit);
    edit.type = 'button';
    edit.addEventListener('click', () => {
      $('quick-id').value = q.id;
      $('quick-title').value = q.title;
      $('quick-text').value = q.text;
      $('quick-save').textContent = T.quickReplySave;
      $('quick-title').focus();
    });
    const remove = el('button', 'quick-delete', T.quickReplyDelete);
    remove.type = 'button';
    remove.addEventListener('click', async () => {
      if (!(await confirmInPage(t('quickReplyDeleteConfirm', { title: q.title })))) return;
      try {
        await api('POST', `/api/admin/quick-replies/${encodeURIComponent(q.id)}/delete`);
      } catch (error) {
        $('quick-error').textContent = messageOf(error);
      }
      await loadQuickReplies();
    });
    li.append(text, edit, remove);
    return li;
  });
  $('quick-list').replaceChildren(...(items.length ? items : [el('li', 'empty', T.quickRepliesEmpty)]));
}

async function loadQuickReplies() {
  quickReplies = await api('GET', '/api/quick-replies');
  renderQuickPicker();
  renderQuickList();
}

function resetQuickForm() {
  $('quick-id').value = '';
  $('quick-title').value = '';
  $('quick-text').value = '';
  $('quick-error').textContent = '';
  $('quick-save').textContent = T.quickReplyAdd;
}

async function saveQuickReply(event) {
  event.preventDefault();
  const id = $('quick-id').value;
  $('quick-error').textContent = '';
  try {
    await api('POST', id ? `/api/admin/quick-replies/${encodeURIComponent(id)}` : '/api/admin/quick-replies', {
      title: $('quick-title').value,
      text: $('quick-text').value,
    });
    resetQuickForm();
  } catch (error) {
    // What was typed stays in the form; the reason is shown under it.
    $('quick-error').textContent = messageOf(error);
  }
  await loadQuickReplies().catch((error) => ($('quick-error').textContent = messageOf(error)));
}

// ---- accounts (admins) -----------------------------------------------------------------------------------

let accounts = [];
const roleName = (role) => T.roles[role] || role;

function usersStatus(text, kind = 'error') {
  $('users-status').textContent = text;
  $('users-status').className = kind === 'info' ? 'info' : '';
  $('users-status').hidden = !text;
}

function roleSelect(selected) {
  const select = el('select');
  for (const role of Object.keys(T.roles)) {
    const o = el('option', '', roleName(role));
    o.value = role;
    o.selected = role === selected;
    select.append(o);
  }
  return select;
}

/** Sends one change of an account; the outcome is said above the list, which is then loaded again. */
async function changeUser(username, path, body) {
  try {
    const done = await api('POST', `/api/admin/users/${encodeURIComponent(username)}${path}`, body);
    usersStatus(done.message, 'info');
  } catch (error) {
    usersStatus(messageOf(error));
  }
  await loadUsers().catch((error) => usersStatus(messageOf(error)));
}

function userRow(u) {
  const tr = el('tr', u.disabled ? 'disabled' : '');
  const name = el('td', '', u.username + (me && u.username === me.username ? T.userYou : ''));
  const display = el('td', '', u.displayName);
  const role = roleSelect(u.role);
  role.setAttribute('aria-label', `${T.userRole} ${u.username}`);
  role.addEventListener('change', () => void changeUser(u.username, '', { role: role.value }));
  const roleCell = el('td');
  roleCell.append(role);
  const state = el('td', '', u.disabled ? T.userDisabled : T.userActive);
  const actions = el('td', 'user-actions');
  const toggle = el('button', '', u.disabled ? T.userEnable : T.userDisable);
  toggle.type = 'button';
  toggle.addEventListener('click', async () => {
    if (!u.disabled && !(await confirmInPage(t('userDisableConfirm', { username: u.username })))) return;
    await changeUser(u.username, '', { disabled: !u.disabled });
  });
  const reset = el('button', '', T.userResetPassword);
  reset.type = 'button';
  reset.addEventListener('click', () => {
    const row = el('span', 'user-password-row');
    const input = el('input');
    input.type = 'password';
    input.autocomplete = 'new-password';
    input.placeholder = t('userNewPassword', { username: u.username });
    input.setAttribute('aria-label', input.placeholder);
    const save = el('button', 'primary', T.userSave);
    save.type = 'button';
    save.addEventListener('click', () => void changeUser(u.username, '/password', { password: input.value }));
    row.append(input, save);
    actions.replaceChildren(row);
    input.focus();
  });
  actions.append(toggle, reset);
  tr.append(name, display, roleCell, state, actions);
  return tr;
}

function renderUsers() {
  const rows = accounts.map(userRow);
  if (!rows.length) {
    const empty = el('tr');
    const td = el('td', 'empty', T.usersEmpty);
    td.colSpan = 5;
    empty.append(td);
    rows.push(empty);
  }
  $('users-list').replaceChildren(...rows);
}

async function loadUsers() {
  accounts = (await api('GET', '/api/admin/users')).users;
  renderUsers();
}

async function addUser(event) {
  event.preventDefault();
  $('user-error').textContent = '';
  try {
    const done = await api('POST', '/api/admin/users', {
      username: $('user-username').value.trim(),
      displayName: $('user-name').value,
      role: $('user-role').value,
      password: $('user-password').value,
    });
    for (const id of ['user-username', 'user-name', 'user-password']) $(id).value = '';
    usersStatus(done.message, 'info');
  } catch (error) {
    // What was typed stays in the form; the reason is shown under it.
    $('user-error').textContent = messageOf(error);
  }
  await loadUsers().catch((error) => usersStatus(messageOf(error)));
}

// ---- the live queue --------------------------------------------------------------------------------------

let events = null;
let stopped = false;
let lost = false;
let retryMs = 1000;
let retryTimer = null;

/** Everything again from the server: after a reconnect, events may have been missed. */
async function resync() {
  await loadQueue();
  for (const c of queue.waiting) announced.add(c.conversationId);
  if (current) await show(current);
}

function connectionLost() {
  if (events) events.close();
  events = null;
  if (stopped) return;
  // A stream refused because the session ended (expired, logged out elsewhere): the login form, not a banner.
  api('GET', '/api/me').catch((error) => {
    if (error.status === 401) {
      stopped = true;
      location.reload();
    }
  });
  lost = true;
  $('connection').hidden = false;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, retryMs);
  retryMs = Math.min(retryMs * 2, 15000);
}

function connect() {
  if (stopped) return;
  events = new EventSource('/api/events');
  events.addEventListener('open', () => {
    retryMs = 1000;
    if (!lost) return;
    resync().then(
      () => {
        lost = false;
        $('connection').hidden = true;
      },
      (error) => {
        // Logged out meanwhile (session expired): the login form, not a banner forever.
        if (error.status === 401) location.reload();
        else connectionLost();
      },
    );
  });
  events.addEventListener('error', connectionLost);
  events.addEventListener('escalated', async (ev) => {
    const e = JSON.parse(ev.data);
    try {
      await loadQueue();
    } catch (error) {
      return notify(messageOf(error));
    }
    const c = queue.waiting.find((w) => w.conversationId === e.conversationId);
    if (c) announce(c);
  });
  for (const type of ['claimed', 'resolved', 'transferred', 'message', 'delivery']) {
    events.addEventListener(type, (ev) => {
      const e = JSON.parse(ev.data);
      if (current && e.conversationId === current) void refresh(current);
      else loadQueue().catch((error) => notify(messageOf(error)));
    });
  }
  // Too many live queues open for this session: the server closed this (the oldest) one. Reconnecting
  // would only close another tab's, so this page stops and says why.
  events.addEventListener('evicted', (ev) => {
    stopped = true;
    events.close();
    notify(t('evicted', { message: JSON.parse(ev.data).message }));
  });
}

/** The page's fixed words from the catalog (the HTML carries the same Chinese for a page that fails to load it). */
function applyCatalog() {
  const words = {
    claim: 'claim',
    transfer: 'transferTo',
    'save-faq': 'saveFaq',
    handback: 'handback',
    resolve: 'resolve',
    back: 'back',
    'reply-send': 'send',
    'composer-hint': 'composerHint',
    logout: 'logout',
    notifications: 'notificationsEnable',
    'manage-quick': 'quickRepliesManage',
    'to-knowledge': 'knowledgePages',
    'detail-title': 'pick',
    'link-entry': 'linkEntry',
    'link-dialog-title': 'linkDialogTitle',
    'link-hint': 'linkHint',
    'link-message-label': 'linkMessage',
    'link-search-label': 'linkSearchLabel',
    'link-search': 'linkSearchButton',
    'link-cancel': 'cancel',
    'link-submit': 'linkSubmit',
    'review-title': 'reviewTitle',
    'review-refresh': 'reviewRefresh',
    'faq-dialog-title': 'faqDialogTitle',
    'faq-question-label': 'faqQuestion',
    'faq-answer-label': 'faqAnswer',
    'faq-cancel': 'cancel',
    'faq-save': 'quickReplySave',
    'quick-dialog-title': 'quickRepliesTitle',
    'quick-title-label': 'quickReplyTitle',
    'quick-text-label': 'quickReplyText',
    'quick-reset': 'cancel',
    'quick-save': 'quickReplyAdd',
    'confirm-cancel': 'cancel',
    'confirm-ok': 'confirm',
    'manage-users': 'usersManage',
    'users-dialog-title': 'usersTitle',
    'users-hint': 'roleHint',
    'users-col-username': 'userUsername',
    'users-col-name': 'userDisplayName',
    'users-col-role': 'userRole',
    'users-col-state': 'userState',
    'user-add-title': 'userAddTitle',
    'user-username-label': 'userUsername',
    'user-name-label': 'userDisplayName',
    'user-role-label': 'userRole',
    'user-password-label': 'userPassword',
    'user-add': 'userAdd',
  };
  for (const [id, key] of Object.entries(words)) $(id).textContent = T[key];
  $('reply-text').placeholder = T.composerPlaceholder;
  $('link-q').placeholder = T.linkSearchPlaceholder;
  $('quick-close').setAttribute('aria-label', T.close);
  $('users-close').setAttribute('aria-label', T.close);
  $('user-role').replaceChildren(...roleSelect('agent').children);
  // A new account is an agent unless the admin picks otherwise (never an admin by default).
  $('user-role').value = 'agent';
  $('notice-close').setAttribute('aria-label', T.close);
  $('notice-close').title = T.close;
  for (const [viewName, key] of [
    ['waiting', 'viewWaiting'],
    ['mine', 'viewMine'],
    ['all', 'viewAll'],
    ['review', 'viewReview'],
  ])
    document.querySelector(`.view[data-view="${viewName}"]`).firstChild.textContent = T[key] + ' ';
}

// ---- start -----------------------------------------------------------------------------------------------

async function start() {
  applyCatalog();
  $('login').hidden = true;
  $('app').hidden = false;
  $('whoami').textContent =
    me.displayName +
    (me.role === 'admin' && !me.displayName.includes('管理员')
      ? T.adminSuffix
      : me.role === 'editor' && !me.displayName.includes('编辑')
        ? T.editorSuffix
        : '');
  $('manage-quick').hidden = me.role !== 'admin';
  $('manage-users').hidden = me.role !== 'admin';
  // The knowledge pages (hit testing, unanswered questions, statistics) belong to the FAQ's owners.
  $('to-knowledge').hidden = me.role !== 'admin' && me.role !== 'editor';
  document.querySelector('.view[data-view="all"]').hidden = me.role !== 'admin';
  // Editors and admins review drafts (an agent may not approve, so may not publish).
  document.querySelector('.view[data-view="review"]').hidden = me.role !== 'admin' && me.role !== 'editor';
  showNotificationButton();
  const list = await api('GET', '/api/agents');
  agents = new Map(list.map((a) => [a.username, a.displayName]));
  $('transfer-to').replaceChildren(
    ...list
      .filter((a) => a.username !== me.username)
      .map((a) => {
        const o = el('option', '', a.displayName);
        o.value = a.username;
        return o;
      }),
  );
  await loadQueue();
  // What is waiting when the page opens is not news: only what arrives later is announced.
  for (const c of queue.waiting) announced.add(c.conversationId);
  await loadQuickReplies().catch((error) => notify(messageOf(error)));
  await loadReview().catch((error) => notify(messageOf(error)));
  connect();
}

const path = (action) => `/api/conversations/${encodeURIComponent(current)}/${action}`;
const on = (id, handler) => $(id).addEventListener('click', handler);

document.addEventListener('click', prepareSound, { once: true, capture: true });
document.addEventListener('keydown', prepareSound, { once: true, capture: true });

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
  stopped = true;
  await api('POST', '/api/logout').catch(() => undefined);
  location.reload();
});
on('notice-close', clearNotice);
on('back', () => {
  document.body.classList.remove('detail-open');
  current = null;
  renderQueue();
});
for (const button of document.querySelectorAll('.view')) {
  button.addEventListener('click', () => {
    view = button.dataset.view;
    renderQueue();
    // The list as it is now, not as the last event left it.
    loadQueue().catch((error) => notify(messageOf(error)));
    if (view === 'review') {
      reviewStatus('');
      loadReview().catch((error) => reviewStatus(messageOf(error)));
    }
  });
}
on('notifications', async () => {
  if (!('Notification' in window)) return;
  const answer = await Notification.requestPermission();
  if (answer === 'granted') notify(T.notificationsOn, 'info');
  else if (answer === 'denied') notify(T.notificationsBlocked);
  showNotificationButton();
});
on('claim', () =>
  act(async () => {
    await api('POST', path('claim'));
    // Claimed: it is one of mine now, and that is the list "back" returns to.
    view = 'mine';
  }),
);
$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('reply-text').value.trim();
  if (!text) return;
  $('reply-text').value = '';
  void sendReply(text);
});
$('reply-text').addEventListener('keydown', (event) => {
  // Enter sends; Shift+Enter breaks the line; Enter that ends an IME composition (拼音) does neither.
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  $('composer').requestSubmit();
});
$('quick-reply').addEventListener('change', () => {
  const chosen = quickReplies.find((q) => q.id === $('quick-reply').value);
  if (chosen) insertIntoReply(chosen.text);
  $('quick-reply').value = '';
});
on('resolve', () => act(() => api('POST', path('resolve'))));
on('handback', () => act(() => api('POST', path('handback'))));
on('transfer', () => act(() => api('POST', path('transfer'), { to: $('transfer-to').value })));
on('save-faq', () => void openFaqDialog());
$('faq-form').addEventListener('submit', saveFaq);
on('faq-cancel', () => $('faq-dialog').close());
on('link-entry', () => void openLinkDialog());
on('link-cancel', () => $('link-dialog').close());
on('link-search', () => void searchEntries());
$('link-q').addEventListener('keydown', (event) => {
  // Enter in the search box searches; it does not submit the link.
  if (event.key !== 'Enter' || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  void searchEntries();
});
$('link-message').addEventListener('change', () => {
  const chosen = linking && linking.messages.find((m) => m.id === $('link-message').value);
  if (!chosen) return;
  $('link-q').value = searchable(chosen.text);
  void searchEntries();
});
$('link-form').addEventListener('submit', submitLink);
on('review-refresh', () => {
  reviewStatus('');
  loadReview().catch((error) => reviewStatus(messageOf(error)));
});
on('manage-quick', () => {
  resetQuickForm();
  renderQuickList();
  $('quick-dialog').showModal();
});
on('quick-close', () => $('quick-dialog').close());
on('quick-reset', resetQuickForm);
$('quick-form').addEventListener('submit', saveQuickReply);
on('manage-users', () => {
  usersStatus('');
  $('user-error').textContent = '';
  $('users-dialog').showModal();
  loadUsers().catch((error) => usersStatus(messageOf(error)));
});
on('users-close', () => $('users-dialog').close());
$('user-form').addEventListener('submit', addUser);

api('GET', '/api/me').then(
  (session) => {
    me = session;
    return start().catch((error) => notify(messageOf(error)));
  },
  () => {
    $('login').hidden = false;
  },
);
