/* global document, fetch, location, URLSearchParams */
// The knowledge pages (知识库) for editors and admins. Served from the console's origin as a file: the page's
// CSP allows no inline script. Its words come from the console's catalog (/knowledge/messages.js, loaded first).
'use strict';

const T = globalThis.KNOWLEDGE_TEXT;
const t = (key, vars = {}) => String(T[key]).replace(/\{(\w+)\}/g, (_m, name) => String(vars[name] ?? ''));
const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

let me = null;
let bots = [];
/** Calls the console API; a refusal throws an Error carrying the server's message (Chinese first). */
async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: { 'content-type': 'application/json', ...(me ? { 'x-csrf-token': me.csrf } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new Error(T.networkFailed);
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const error = new Error((data && data.message) || t('requestFailed', { status: res.status }));
    error.status = res.status;
    throw error;
  }
  return data;
}

function gate(message, withLogin) {
  $('gate').hidden = false;
  $('gate').textContent = message + ' ';
  if (withLogin) {
    const link = el('a', '', T.goLogin);
    link.href = '/';
    $('gate').append(link);
  }
  $('app').hidden = true;
}

function currentBot() {
  return bots.find((b) => b.id === $('bot').value);
}

function showVersion() {
  const bot = currentBot();
  $('version').textContent = !bot
    ? ''
    : bot.activeVersion === null
      ? T.noVersion
      : t('version', { version: bot.activeVersion });
}

/** Reads the bots and their live versions again (after a publication or a rollback). */
async function reloadBots() {
  ({ bots } = await api('GET', '/api/knowledge/bots'));
  showVersion();
}

function percent(p) {
  return `${(p * 100).toFixed(1)}%`;
}

async function runHitTest(event) {
  event.preventDefault();
  const question = $('hit-test-question').value.trim();
  const status = $('hit-test-status');
  status.className = '';
  if (!question) {
    status.textContent = T.hitTestPlaceholder;
    return;
  }
  status.textContent = T.hitTestRunning;
  $('hit-test-run').disabled = true;
  try {
    const against = $('hit-test-against').value;
    const result = await api('POST', `/api/knowledge/${encodeURIComponent($('bot').value)}/hit-test`, {
      question,
      against,
    });
    // Against the draft: say which entries were searched (a bot without a draft is tested live).
    status.textContent =
      against === 'draft' ? (result.searched === 'draft' ? T.hitTestSearchedDraft : T.hitTestNoDraft) : '';
    showHitTest(result);
  } catch (error) {
    status.className = 'error';
    status.textContent = error.message;
    $('hit-test-result').hidden = true;
  } finally {
    $('hit-test-run').disabled = false;
  }
}

function showHitTest(result) {
  const { decision, candidates } = result;
  const kind = $('decision-kind');
  kind.textContent = T.kinds[decision.kind] || decision.kind;
  kind.className = `kind-${decision.kind}`;
  $('decision-why').textContent = decision.explanation;
  $('decision-reply').textContent = decision.reply || '';
  $('decision-reply').hidden = !decision.reply;
  const body = $('candidates').querySelector('tbody');
  body.replaceChildren();
  const keywordScored = result.search === 'keyword-only' || result.search === 'keyword-fallback';
  for (const c of candidates) {
    const row = el('tr', c.entryId === decision.entryId || decision.suggestions.includes(c.entryId) ? 'chosen' : '');
    row.append(el('td', '', String(c.rank)));
    const entry = el('td');
    entry.append(el('div', '', c.question), el('div', 'answer', c.answer.replace(/\s+/g, ' ').slice(0, 120)));
    row.append(entry);
    row.append(el('td', '', c.matchedQuestion === c.question ? '—' : c.matchedQuestion));
    row.append(el('td', '', keywordScored ? c.confidence.toFixed(2) : c.dense === null ? '—' : percent(c.dense)));
    body.append(row);
  }
  if (candidates.length === 0) {
    const row = el('tr');
    const cell = el('td', '', T.noCandidates);
    cell.colSpan = 4;
    row.append(cell);
    body.append(row);
  }
  $('col-confidence').textContent = keywordScored ? T.keyword : T.confidence;
  $('hit-test-result').hidden = false;
}

/**
 * The page's tabs: each `<section class="panel" id="<name>">` with a `.tab[data-tab="<name>"]` button. A tab's
 * script (one file per tab, loaded after this one) registers what it does when shown and when the bot changes.
 */
const tabs = new Map();
function registerTab(name, { load, onBotChange } = {}) {
  tabs.set(name, { load, onBotChange });
}
registerTab('hit-test', { onBotChange: () => ($('hit-test-result').hidden = true) });
registerTab('unanswered', { load: () => loadUnanswered() });

function shownTab() {
  return document.querySelector('.tab[aria-selected="true"]')?.dataset.tab;
}

function showTab(name) {
  for (const tab of document.querySelectorAll('.tab'))
    tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
  for (const panel of document.querySelectorAll('main > .panel')) panel.hidden = panel.id !== name;
  tabs.get(name)?.load?.();
}

function setStatus(node, message, isError) {
  node.className = isError ? 'error' : '';
  node.textContent = message;
}

async function loadUnanswered() {
  const status = $('unanswered-status');
  setStatus(status, T.unansweredLoading, false);
  try {
    const { groups } = await api('GET', `/api/knowledge/${encodeURIComponent($('bot').value)}/unanswered`);
    $('unanswered-list').replaceChildren(...groups.map(groupCard));
    setStatus(status, groups.length === 0 ? T.unansweredEmpty : '', false);
  } catch (error) {
    setStatus(status, error.message, true);
  }
}

/** After an action: its message, then the queue as it is now (the group has left it once the bot answers it). */
async function acted(message) {
  await loadUnanswered();
  setStatus($('unanswered-status'), message, false);
}

function groupCard(group) {
  const card = el('div', 'group');
  card.dataset.key = group.key;
  const head = el('div', 'group-head');
  head.append(el('strong', '', group.question), el('span', 'count', t('times', { count: group.count })));
  const why = [
    group.why.escalated ? t('whyEscalated', { n: group.why.escalated }) : '',
    group.why['not-picked'] ? t('whyNotPicked', { n: group.why['not-picked'] }) : '',
    group.why['down-voted'] ? t('whyDownVoted', { n: group.why['down-voted'] }) : '',
  ].filter(Boolean);
  const wordings = el('ul', 'wordings');
  for (const w of group.wordings.slice(0, 8)) wordings.append(el('li', '', w));
  const nearest = el(
    'div',
    'nearest',
    group.nearest ? t('nearest', { question: group.nearest.question }) : T.nearestNone,
  );
  const actions = el('div', 'group-actions');
  const status = $('unanswered-status');
  if (group.nearest) {
    const add = el('button', 'add-to-entry', T.addToEntry);
    add.type = 'button';
    add.addEventListener('click', async () => {
      add.disabled = true;
      try {
        const result = await api(
          'POST',
          `/api/knowledge/${encodeURIComponent($('bot').value)}/unanswered/add-to-entry`,
          {
            entryId: group.nearest.entryId,
            conversationId: group.conversationId,
            wordings: group.wordings,
          },
        );
        await acted(result.message);
      } catch (error) {
        setStatus(status, error.message, true);
        add.disabled = false;
      }
    });
    actions.append(add);
  }
  const create = el('button', 'new-entry-open', T.newEntry);
  create.type = 'button';
  create.addEventListener('click', () => {
    create.hidden = true;
    card.append(newEntryForm(group, () => (create.hidden = false)));
  });
  actions.append(create);
  card.append(head, el('div', 'why', why.join(' · ')), wordings, nearest, actions);
  return card;
}

function newEntryForm(group, onCancel) {
  const form = el('form', 'new-entry');
  const question = el('input', 'new-question');
  question.value = group.question;
  question.maxLength = 200;
  const answer = el('textarea', 'new-answer');
  answer.maxLength = 8000;
  const questionLabel = el('label', '', T.newQuestion);
  questionLabel.append(question);
  const answerLabel = el('label', '', T.newAnswer);
  answerLabel.append(answer);
  const save = el('button', 'primary new-entry-save', T.save);
  save.type = 'submit';
  const cancel = el('button', '', T.cancel);
  cancel.type = 'button';
  cancel.addEventListener('click', () => {
    form.remove();
    onCancel();
  });
  const buttons = el('div', 'group-actions');
  buttons.append(save, cancel);
  form.append(questionLabel, answerLabel, buttons);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = $('unanswered-status');
    if (!answer.value.trim()) return setStatus(status, T.answerRequired, true);
    save.disabled = true;
    try {
      const result = await api('POST', `/api/knowledge/${encodeURIComponent($('bot').value)}/unanswered/new-entry`, {
        question: question.value,
        answer: answer.value,
        conversationId: group.conversationId,
        wordings: group.wordings,
      });
      await acted(result.message);
    } catch (error) {
      setStatus(status, error.message, true);
      save.disabled = false;
    }
  });
  return form;
}

function fillWords() {
  document.title = T.title;
  $('title').textContent = T.title;
  $('bot-label').firstChild.textContent = `${T.bot} `;
  $('to-inbox').textContent = T.backToInbox;
  document.querySelector('[data-tab="hit-test"]').textContent = T.tabHitTest;
  document.querySelector('[data-tab="unanswered"]').textContent = T.tabUnanswered;
  $('unanswered-hint').textContent = T.unansweredHint;
  $('unanswered-refresh').textContent = T.refresh;
  $('hit-test-hint').textContent = T.hitTestHint;
  $('hit-test-question').placeholder = T.hitTestPlaceholder;
  $('hit-test-run').textContent = T.hitTestRun;
  $('hit-test-against').options[0].textContent = T.hitTestAgainstLive;
  $('hit-test-against').options[1].textContent = T.hitTestAgainstDraft;
  $('decision-label').textContent = T.decision;
  $('why-label').textContent = T.why;
  $('candidates-title').textContent = T.candidates;
  $('col-rank').textContent = T.rank;
  $('col-entry').textContent = T.entry;
  $('col-matched').textContent = T.matched;
  $('col-confidence').textContent = T.confidence;
}

async function start() {
  fillWords();
  try {
    me = await api('GET', '/api/me');
  } catch (error) {
    return gate(error.status === 401 ? T.loginFirst : error.message, error.status === 401);
  }
  if (me.role !== 'admin' && me.role !== 'editor') return gate(T.editorsOnly, false);
  try {
    ({ bots } = await api('GET', '/api/knowledge/bots'));
  } catch (error) {
    return gate(error.message, false);
  }
  for (const bot of bots) {
    const option = el('option', '', bot.id);
    option.value = bot.id;
    $('bot').append(option);
  }
  const wanted = new URLSearchParams(location.search).get('bot');
  if (wanted && bots.some((b) => b.id === wanted)) $('bot').value = wanted;
  showVersion();
  $('bot').addEventListener('change', () => {
    showVersion();
    const shown = shownTab();
    for (const [name, tab] of tabs) {
      tab.onBotChange?.();
      if (name === shown) tab.load?.();
    }
  });
  for (const tab of document.querySelectorAll('.tab')) tab.addEventListener('click', () => showTab(tab.dataset.tab));
  $('unanswered-refresh').addEventListener('click', loadUnanswered);
  $('hit-test-form').addEventListener('submit', runHitTest);
  $('app').hidden = false;
  // The tab the address names, else the one the page opens on (its own script loads it).
  showTab(tabs.has(location.hash.slice(1)) ? location.hash.slice(1) : shownTab());
}

/**
 * What a tab's own script (entries-tab.js, …) uses of the page: it reads `globalThis.knowledgePage` once, at load.
 * `me()` is the signed-in user (null until start()), `bot()` the bot chosen in the header.
 */
globalThis.knowledgePage = {
  T,
  t,
  $,
  el,
  api,
  setStatus,
  registerTab,
  reloadBots,
  bot: () => currentBot(),
  me: () => me,
};

// Deferred scripts have all run by now: every tab's script has registered.
document.addEventListener('DOMContentLoaded', start);
