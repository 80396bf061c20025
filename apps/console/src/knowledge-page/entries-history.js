// The 条目 tab's version history (版本历史): who published what and when, each version's changes, and rollback.
// Loaded before entries-tab.js, which calls it; words from /knowledge/messages.js through knowledgePage.
'use strict';

(() => {
  const { T, t, $, el, api, setStatus, reloadBots, bot } = globalThis.knowledgePage;
  const botPath = (rest) => `/api/knowledge/${encodeURIComponent(bot().id)}${rest}`;
  const when = (ms) => (ms ? new Date(ms).toLocaleString('zh-CN', { hour12: false }) : '—');

  /**
   * A button that asks for a second click before it acts (the page may not open the browser's own dialogs).
   * `act` runs on the second click; the button says `confirmText` in between.
   */
  function confirmingButton(className, text, confirmText, act) {
    const button = el('button', className, text);
    button.type = 'button';
    button.addEventListener('click', async () => {
      if (button.dataset.armed !== 'true') {
        button.dataset.armed = 'true';
        button.textContent = confirmText;
        return;
      }
      button.disabled = true;
      try {
        await act();
      } finally {
        button.disabled = false;
        button.dataset.armed = 'false';
        button.textContent = text;
      }
    });
    return button;
  }

  function badge(version) {
    if (version.live) return el('span', 'badge live', T.historyLive);
    if (version.status === 'failed') return el('span', 'badge failed', T.historyFailed);
    if (version.status === 'building') return el('span', 'badge', T.historyBuilding);
    if (!version.indexed) return el('span', 'badge gone', T.historyGone);
    return null;
  }

  function changeLine(change) {
    const entry = change.after || change.before || {};
    const mark = { added: '+', changed: '~', removed: '−' }[change.change] || '';
    const label = { added: T.diffAdded, changed: T.diffChanged, removed: T.diffRemoved }[change.change] || '';
    const line = el('li', `change-${change.change}`);
    line.append(el('span', 'mark', `${mark} ${label}`), ' ', el('span', '', entry.question || change.entryId));
    return line;
  }

  function versionItem(version, onChanged) {
    const item = el('li', 'version');
    item.dataset.versionId = String(version.id);
    const head = el('div', 'version-head');
    head.append(
      el(
        'strong',
        '',
        t('historyLine', {
          id: version.id,
          at: when(version.publishedAt || version.createdAt),
          by: version.publishedBy,
          mode: T.modes[version.mode] || version.mode,
          source: version.source,
        }),
      ),
    );
    const b = badge(version);
    if (b) head.append(b);
    const counts = el(
      'div',
      'version-counts',
      t('historyCounts', {
        count: version.entryCount,
        added: version.added,
        changed: version.changed,
        removed: version.removed,
      }),
    );
    const changes = el('ul', 'version-changes');
    changes.hidden = true;
    const actions = el('div', 'entries-actions');
    const show = el('button', 'show-changes', T.showChanges);
    show.type = 'button';
    show.addEventListener('click', async () => {
      if (!changes.hidden) return void (changes.hidden = true);
      try {
        const { changes: list } = await api('GET', botPath(`/versions/${version.id}/changes`));
        changes.replaceChildren(...list.map(changeLine));
        changes.hidden = false;
      } catch (error) {
        setStatus($('history-status'), error.message, true);
      }
    });
    actions.append(show);
    if (version.status === 'published' && version.indexed && !version.live)
      actions.append(
        confirmingButton('rollback', T.rollbackTo, T.confirmRollback, async () => {
          try {
            const result = await api('POST', botPath(`/versions/${version.id}/rollback`));
            await reloadBots();
            await onChanged();
            setStatus($('history-status'), result.message, false);
          } catch (error) {
            setStatus($('history-status'), error.message, true);
          }
        }),
      );
    item.append(head, counts, actions, changes);
    return item;
  }

  /** Reads the history again; `onChanged` reloads the whole tab after a rollback. */
  async function loadHistory(onChanged) {
    const status = $('history-status');
    try {
      const { versions } = await api('GET', botPath('/versions'));
      $('history-list').replaceChildren(...versions.map((v) => versionItem(v, onChanged)));
      setStatus(status, versions.length ? '' : T.historyEmpty, false);
    } catch (error) {
      setStatus(status, error.message, true);
    }
  }

  globalThis.knowledgeEntriesHistory = { loadHistory, confirmingButton, when, botPath };
})();
