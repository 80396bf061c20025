/* global document, URLSearchParams, Chart */
// 统计: one bot's period (messages, outcomes per day, top questions, entries by hits, escalations, feedback on
// answers), from the console's analytics in PostgreSQL. A tab script: it registers with the page shell.
'use strict';

(() => {
  const { T, t, $, el, api, setStatus, registerTab } = globalThis.knowledgePage;
  /** The chart, replaced on each load (Chart.js keeps one instance per canvas). */
  let chart = null;

  const pad = (n) => String(n).padStart(2, '0');
  /** A day as the date inputs and the API write it, in China's time (UTC+8). */
  function dayString(ms) {
    const d = new Date(ms + 8 * 3_600_000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return T.noTime;
    if (seconds < 60) return t('seconds', { n: Math.round(seconds) });
    if (seconds < 3600) return t('minutes', { n: Math.round(seconds / 60) });
    return t('hours', { n: (seconds / 3600).toFixed(1) });
  }

  function analyticsPath(format) {
    const params = new URLSearchParams({ from: $('from').value, to: $('to').value, ...(format ? { format } : {}) });
    return `/api/knowledge/${encodeURIComponent($('bot').value)}/analytics?${params}`;
  }

  async function loadAnalytics() {
    const status = $('analytics-status');
    if (!$('to').value) $('to').value = dayString(Date.now());
    if (!$('from').value) $('from').value = dayString(Date.now() - 6 * 86_400_000);
    $('export').href = analyticsPath('csv');
    setStatus(status, T.analyticsLoading, false);
    try {
      showAnalytics(await api('GET', analyticsPath()));
      setStatus(status, '', false);
    } catch (error) {
      setStatus(status, error.message, true);
      $('analytics-body').hidden = true;
    }
  }

  function tile(id, value, label) {
    const node = el('div', 'tile');
    node.dataset.tile = id;
    node.append(el('div', 'value', String(value)), el('div', 'label', label));
    return node;
  }

  function share(n, of) {
    return of ? `${Math.round((n / of) * 100)}%` : '—';
  }

  /** 准确 / 不准确 and how many answers got a verdict; a channel that asks for none shows a hint instead. */
  function showFeedback(a) {
    const f = a.feedback;
    const rated = f.accurate + f.inaccurate;
    $('feedback-tiles').replaceChildren(
      tile('feedback-accurate', f.accurate, `${T.feedbackAccurate} ${share(f.accurate, rated)}`),
      tile('feedback-inaccurate', f.inaccurate, `${T.feedbackInaccurate} ${share(f.inaccurate, rated)}`),
      tile(
        'feedback-share',
        f.answeredShare === null ? '—' : `${Math.round(f.answeredShare * 100)}%`,
        t('feedbackShare', { n: f.answeredWithFeedback }),
      ),
    );
    $('feedback-none').hidden = rated > 0;
  }

  function showAnalytics(a) {
    const o = a.outcomes;
    $('tiles').replaceChildren(
      tile('messages', a.messages, T.messages),
      tile('answered', o.answered, `${T.answered} ${share(o.answered, a.messages)}`),
      tile('suggested', o.suggested, `${T.suggested} ${share(o.suggested, a.messages)}`),
      tile('escalated', o.escalated, `${T.escalated} ${share(o.escalated, a.messages)}`),
      tile('other', o.other, `${T.other} ${share(o.other, a.messages)}`),
    );
    showFeedback(a);
    const colors = { answered: '#2da44e', suggested: '#d4a72c', escalated: '#cf222e', other: '#8c959f' };
    if (chart) chart.destroy();
    chart = new Chart($('by-day'), {
      type: 'bar',
      data: {
        labels: a.days.map((d) => d.day.slice(5)),
        datasets: ['answered', 'suggested', 'escalated', 'other'].map((kind) => ({
          label: T[kind],
          data: a.days.map((d) => d[kind]),
          backgroundColor: colors[kind],
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    const rows = (table, items, cells) =>
      $(table)
        .querySelector('tbody')
        .replaceChildren(
          ...items.map((item) => {
            const row = el('tr');
            for (const cell of cells(item)) row.append(el('td', '', String(cell)));
            return row;
          }),
        );
    rows('top-questions', a.topQuestions, (q) => [q.question, q.count, q.answered]);
    rows('entries-by-hits', a.entriesByHits.slice(0, 20), (e) => [e.question, e.hits]);
    const e = a.escalations;
    $('claim-time').textContent = t('claimTime', {
      median: duration(e.claimSeconds.median),
      p90: duration(e.claimSeconds.p90),
    });
    $('resolve-time').textContent = t('resolveTime', {
      median: duration(e.resolveSeconds.median),
      p90: duration(e.resolveSeconds.p90),
    });
    $('never-hit-title').textContent = t('entriesNeverHit', { count: a.entriesNeverHit.length });
    $('never-hit-list').replaceChildren(...a.entriesNeverHit.map((x) => el('li', '', x.question)));
    $('analytics-body').hidden = false;
  }

  function fillWords() {
    document.querySelector('[data-tab="analytics"]').textContent = T.tabAnalytics;
    $('from-label').firstChild.textContent = `${T.from} `;
    $('to-label').firstChild.textContent = `${T.to} `;
    $('show').textContent = T.show;
    $('export').textContent = T.exportCsv;
    $('feedback-title').textContent = T.feedbackTitle;
    $('feedback-none').textContent = T.feedbackNone;
    $('by-day-title').textContent = T.byDay;
    $('top-title').textContent = T.topQuestions;
    $('hits-title').textContent = T.entriesByHits;
    $('escalations-title').textContent = T.escalations;
    for (const th of document.querySelectorAll('#top-questions .q, #entries-by-hits .q')) th.textContent = T.question;
    document.querySelector('#top-questions .n').textContent = T.count;
    document.querySelector('#top-questions .a').textContent = T.answeredCount;
    document.querySelector('#entries-by-hits .n').textContent = T.hits;
  }

  registerTab('analytics', { load: () => loadAnalytics() });
  document.addEventListener('DOMContentLoaded', () => {
    fillWords();
    $('period').addEventListener('submit', (event) => {
      event.preventDefault();
      loadAnalytics();
    });
  });
})();
