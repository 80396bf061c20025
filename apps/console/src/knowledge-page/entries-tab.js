/* global document, URLSearchParams */
// The 条目 tab: a bot's entries (searchable), an edit form, the draft (草稿) with its changes shown before they
// are published, and the version history (entries-history.js). Words from /knowledge/messages.js.
'use strict';

(() => {
  const { T, t, $, el, api, setStatus, registerTab, reloadBots } = globalThis.knowledgePage;
  const { loadHistory, confirmingButton, when, botPath } = globalThis.knowledgeEntriesHistory;
  /** The entry the form edits (null: a new one). */
  let editing = null;
  let listing = null;

  const status = (message, isError = false) => setStatus($('entries-status'), message, isError);
  const lines = (text) =>
    text
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);

  async function load() {
    status(T.entriesLoading);
    try {
      const params = new URLSearchParams({ view: $('entries-view').value });
      if ($('entries-q').value.trim()) params.set('q', $('entries-q').value.trim());
      listing = await api('GET', botPath(`/entries?${params}`));
      showEntries();
      status('');
      await Promise.all([showDraft(), loadHistory(reloadAll)]);
    } catch (error) {
      status(error.message, true);
    }
  }

  async function reloadAll() {
    $('draft-diff').hidden = true;
    await load();
  }

  function showEntries() {
    const { entries, found, total } = listing;
    $('entries-count').textContent =
      found === total ? t('entriesCount', { count: total }) : t('entriesFound', { count: found, total });
    // The API lists at most 500 at once: say so rather than let a long list look complete.
    if (entries.length < found)
      $('entries-count').textContent += ` ${t('entriesTruncated', { shown: entries.length })}`;
    const items = entries.map(entryItem);
    if (!items.length) items.push(el('li', 'empty', T.noEntries));
    $('entries-list').replaceChildren(...items);
    // Only the draft is edited: the live view is for reading.
    $('entry-new').hidden = listing.view === 'live';
  }

  function entryItem(entry) {
    const item = el('li', 'entry');
    item.dataset.entryId = entry.id;
    const head = el('div', 'entry-head');
    head.append(el('strong', 'entry-question', entry.question));
    head.append(el('span', 'badge', entry.category || T.noCategory));
    for (const tag of entry.tags) head.append(el('span', 'badge tag', tag));
    const answer = el('div', 'entry-answer', entry.answer);
    const meta = el(
      'div',
      'entry-meta',
      entry.similar.length ? t('similarCount', { count: entry.similar.length }) : '',
    );
    if (entry.similar.length) meta.title = entry.similar.join('\n');
    item.append(head, answer, meta);
    if (listing.view === 'draft') {
      const actions = el('div', 'entries-actions');
      const edit = el('button', 'edit', T.edit);
      edit.type = 'button';
      edit.addEventListener('click', () => openForm(entry));
      actions.append(
        edit,
        confirmingButton('delete', T.delete, T.confirmDelete, async () => {
          try {
            const result = await api('DELETE', botPath(`/draft/entries/${encodeURIComponent(entry.id)}`));
            await load();
            status(result.message);
          } catch (error) {
            status(error.message, true);
          }
        }),
      );
      item.append(actions);
    }
    return item;
  }

  function openForm(entry) {
    editing = entry;
    $('entry-form-title').textContent = entry ? T.formTitleEdit : T.formTitleNew;
    $('entry-question').value = entry ? entry.question : '';
    $('entry-answer').value = entry ? entry.answer : '';
    $('entry-similar').value = entry ? entry.similar.join('\n') : '';
    $('entry-category').value = entry ? entry.category || '' : '';
    $('entry-tags').value = entry ? entry.tags.join('，') : '';
    $('entry-form').hidden = false;
    $('entry-form').scrollIntoView({ block: 'nearest' });
    $('entry-question').focus();
  }

  async function save(event) {
    event.preventDefault();
    const body = {
      question: $('entry-question').value,
      answer: $('entry-answer').value,
      similar: lines($('entry-similar').value),
      category: $('entry-category').value,
      tags: $('entry-tags')
        .value.split(/[,，、]/)
        .map((s) => s.trim())
        .filter(Boolean),
    };
    $('entry-save').disabled = true;
    try {
      const result = editing
        ? await api('PUT', botPath(`/draft/entries/${encodeURIComponent(editing.id)}`), body)
        : await api('POST', botPath('/draft/entries'), body);
      $('entry-form').hidden = true;
      editing = null;
      $('entries-view').value = 'draft';
      await load();
      status(result.message);
    } catch (error) {
      // The form keeps what was typed: nothing is lost to a refusal.
      status(error.message, true);
    } finally {
      $('entry-save').disabled = false;
    }
  }

  async function showDraft() {
    const draft = listing.draft;
    $('draft-banner').hidden = !draft;
    if (!draft) return;
    const diff = await api('GET', botPath('/draft/diff'));
    $('draft-banner').classList.toggle('stale', diff.stale);
    $('draft-summary').textContent = diff.stale
      ? T.draftBannerStale
      : t('draftBanner', {
          added: diff.added.length,
          changed: diff.changed.length,
          removed: diff.removed.length,
          by: draft.updatedBy,
          at: when(draft.updatedAt),
        });
    if (!$('draft-diff').hidden) showDiff(diff);
  }

  function fieldText(entry, field) {
    const value = entry[field];
    if (Array.isArray(value)) return value.join(field === 'similar' ? '\n' : '，') || '—';
    return value || '—';
  }

  /** Similar questions side by side: the ones removed struck out, the ones added highlighted, the rest as they are. */
  function similarColumns(change) {
    const column = (className, wordings, marked, mark) => {
      const node = el('div', `wordings-column ${className}`);
      for (const w of wordings) node.append(el('div', marked.includes(w) ? mark : '', w));
      if (!wordings.length) node.append(el('div', '', '—'));
      return node;
    };
    return [
      column('before-list', change.before.similar, change.questionsRemoved, 'removed'),
      column('after-list', change.after.similar, change.questionsAdded, 'added'),
    ];
  }

  function changedItem(change) {
    const item = el('li', 'diff-changed');
    item.append(el('strong', '', change.after.question));
    for (const field of change.fields) {
      const row = el('div', 'changed-field');
      row.dataset.field = field;
      row.append(el('span', 'field-name', T.fields[field] || field));
      if (field === 'similar') row.append(...similarColumns(change));
      else
        row.append(
          el('div', 'before', fieldText(change.before, field)),
          el('div', 'after', fieldText(change.after, field)),
        );
      item.append(row);
    }
    return item;
  }

  function diffSection(kind, title, items) {
    if (!items.length) return null;
    const section = el('div', `diff-section diff-${kind}`);
    section.append(el('h4', '', `${title}（${items.length}）`));
    const list = el('ul');
    list.append(...items);
    section.append(list);
    return section;
  }

  function showDiff(diff) {
    const sections = [
      diffSection(
        'added',
        T.diffAdded,
        diff.added.map((e) => el('li', 'diff-added-entry', `${e.question} — ${e.answer.slice(0, 80)}`)),
      ),
      diffSection('changed', T.diffChanged, diff.changed.map(changedItem)),
      diffSection(
        'removed',
        T.diffRemoved,
        diff.removed.map((e) => el('li', 'diff-removed-entry', e.question)),
      ),
    ].filter(Boolean);
    const nothing = sections.length === 0;
    if (diff.stale) sections.unshift(el('p', 'error', T.draftBannerStale));
    if (nothing) sections.push(el('p', '', diff.rebuild ? T.diffRebuild : T.diffNothing));
    $('diff-title').textContent = T.diffTitle;
    $('diff-body').replaceChildren(...sections);
    $('diff-publish').disabled = diff.stale || (nothing && !diff.rebuild);
    $('draft-diff').hidden = false;
  }

  async function review() {
    try {
      showDiff(await api('GET', botPath('/draft/diff')));
      $('draft-diff').scrollIntoView({ block: 'nearest' });
    } catch (error) {
      status(error.message, true);
    }
  }

  async function publish() {
    $('diff-publish').disabled = true;
    status(T.publishing);
    try {
      const result = await api('POST', botPath('/draft/publish'));
      $('draft-diff').hidden = true;
      await reloadBots();
      await load();
      status(result.message);
    } catch (error) {
      status(error.message, true);
      $('diff-publish').disabled = false;
    }
  }

  function fillWords() {
    document.querySelector('[data-tab="entries"]').textContent = T.tabEntries;
    $('entries-hint').textContent = T.entriesHint;
    $('entries-q').placeholder = T.searchPlaceholder;
    $('entries-search-run').textContent = T.search;
    $('entries-view').options[0].textContent = T.viewDraft;
    $('entries-view').options[1].textContent = T.viewLive;
    $('entry-new').textContent = T.newEntryButton;
    $('label-question').textContent = T.fieldQuestion;
    $('label-answer').textContent = T.fieldAnswer;
    $('label-similar').textContent = T.fieldSimilar;
    $('label-category').textContent = T.fieldCategory;
    $('label-tags').textContent = T.fieldTags;
    $('entry-save').textContent = T.saveToDraft;
    $('entry-cancel').textContent = T.cancel;
    $('draft-review').textContent = T.reviewAndPublish;
    $('diff-publish').textContent = T.confirmPublish;
    $('diff-close').textContent = T.closeDiff;
    $('history-title').textContent = T.historyTitle;
  }

  fillWords();
  $('entries-search').addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  $('entries-view').addEventListener('change', load);
  $('entry-new').addEventListener('click', () => openForm(null));
  $('entry-form').addEventListener('submit', save);
  $('entry-cancel').addEventListener('click', () => {
    $('entry-form').hidden = true;
    editing = null;
  });
  $('draft-review').addEventListener('click', review);
  $('diff-close').addEventListener('click', () => ($('draft-diff').hidden = true));
  $('diff-publish').addEventListener('click', publish);
  const discard = confirmingButton('discard', T.discardDraft, T.confirmDiscard, async () => {
    try {
      const result = await api('DELETE', botPath('/draft'));
      await reloadAll();
      status(result.message);
    } catch (error) {
      status(error.message, true);
    }
  });
  discard.id = 'draft-discard';
  $('draft-banner').querySelector('.entries-actions').append(discard);
  registerTab('entries', {
    load,
    onBotChange: () => {
      $('entry-form').hidden = true;
      $('draft-diff').hidden = true;
      editing = null;
    },
  });
})();
