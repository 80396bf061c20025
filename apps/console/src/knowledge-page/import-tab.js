/* global document, fetch, URLSearchParams */
// 导入 (import) tab of the knowledge pages: a file is read by the console and previewed (what will be added,
// changed and removed, and the rows it cannot import) before anything is published. Served as a file (the CSP
// allows no inline script); it uses the page shell's helpers (globalThis.knowledgePage, knowledge.js).
'use strict';

(() => {
  const { T, t, $, el, api, setStatus, registerTab, reloadBots, bot, me } = globalThis.knowledgePage;
  /** As the console's cap (knowledge-import-routes.ts): a bigger file is refused here before it is sent. */
  const MAX_BYTES = 5 * 1024 * 1024;
  /** The preview being looked at; null once published, or when the bot or the file changes. */
  let preview = null;
  /** Lists longer than this start closed. */
  const OPEN_UP_TO = 20;

  const status = () => $('import-status');
  const botPath = () => `/api/knowledge/${encodeURIComponent(bot().id)}`;
  const mode = () => document.querySelector('input[name="import-mode"]:checked').value;

  function fillWords() {
    document.querySelector('[data-tab="import"]').textContent = T.tabImport;
    $('import-hint').textContent = T.importHint;
    $('import-file-button').textContent = T.importFile;
    $('import-file-name').textContent = T.importNoFile;
    $('import-mode-legend').textContent = T.importMode;
    for (const name of ['upsert', 'append', 'replace']) {
      const key = name[0].toUpperCase() + name.slice(1);
      $(`mode-${name}-name`).textContent = T[`mode${key}`];
      $(`mode-${name}-hint`).textContent = T[`mode${key}Hint`];
    }
    $('import-preview').textContent = T.importPreview;
    $('import-publish').textContent = T.importPublish;
    $('import-confirm-yes').textContent = T.importConfirmYes;
    $('import-confirm-no').textContent = T.importCancel;
  }

  function forget() {
    preview = null;
    $('import-result').hidden = true;
    $('import-confirm').hidden = true;
  }

  /** Sends the file's bytes as they are (the console detects the encoding); the server's refusal in its words. */
  async function upload(file) {
    const params = new URLSearchParams({ name: file.name, mode: mode() });
    let res;
    try {
      res = await fetch(`${botPath()}/import/preview?${params}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': me().csrf },
        body: file,
      });
    } catch {
      throw new Error(T.networkFailed);
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const error = new Error((data && data.message) || t('requestFailed', { status: res.status }));
      error.issues = (data && data.issues) || [];
      throw error;
    }
    return data;
  }

  async function runPreview(event) {
    event.preventDefault();
    forget();
    const file = $('import-file').files[0];
    if (!file) return setStatus(status(), T.importChooseFile, true);
    if (file.size > MAX_BYTES) return setStatus(status(), t('importTooLarge', { mb: MAX_BYTES / 1024 / 1024 }), true);
    setStatus(status(), T.importPreviewing, false);
    $('import-preview').disabled = true;
    try {
      preview = await upload(file);
      setStatus(status(), '', false);
      showPreview(preview);
    } catch (error) {
      setStatus(status(), error.message, true);
      if (error.issues && error.issues.length) {
        $('import-lists').replaceChildren(issuesBlock(error.issues));
        $('import-summary').textContent = '';
        $('import-counts').replaceChildren();
        $('import-kept').textContent = '';
        $('import-removed-warning').hidden = true;
        $('import-actions').hidden = true;
        $('import-result').hidden = false;
      }
    } finally {
      $('import-preview').disabled = false;
    }
  }

  const count = (kind, n, text) => {
    const node = el('span', `import-count import-count-${kind}`, text);
    node.dataset.count = kind;
    node.dataset.n = String(n);
    return node;
  };

  /** A list of entries of one kind, open, cut where the server cut it. */
  function block(kind, title, items, total, render) {
    const details = el('details', `import-block import-${kind}`);
    // Open when short; a long list stays one line (its count in the summary) until asked for.
    details.open = total <= OPEN_UP_TO;
    details.append(el('summary', '', title));
    const list = el('ul');
    for (const item of items) list.append(render(item));
    details.append(list);
    if (total > items.length) details.append(el('p', 'more', t('importMore', { n: total - items.length })));
    return details;
  }

  function entryItem(entry) {
    const item = el('li', 'entry');
    item.append(el('div', 'question', entry.question), el('div', 'answer', entry.answer));
    const details = [
      entry.similar.length ? t('importSimilarCount', { n: entry.similar.length }) : '',
      entry.category ? `${T.importFieldCategory}：${entry.category}` : '',
      entry.tags.length ? `${T.importFieldTags}：${entry.tags.join('、')}` : '',
    ].filter(Boolean);
    if (details.length) item.append(el('div', 'details', details.join(' · ')));
    return item;
  }

  function changeItem(change) {
    const item = el('li', 'entry');
    item.append(el('div', 'question', change.question));
    for (const f of change.fields) {
      const row = el('div', 'field');
      const key = `importField${f.field[0].toUpperCase()}${f.field.slice(1)}`;
      row.append(
        el('span', 'label', T[key] || f.field),
        el('del', '', f.before || T.none),
        el('span', 'arrow', '→'),
        el('ins', '', f.after || T.none),
      );
      item.append(row);
    }
    if (change.questionsAdded.length)
      item.append(el('div', 'field added', `${T.questionsAdded}：${change.questionsAdded.join('；')}`));
    if (change.questionsRemoved.length)
      item.append(el('div', 'field removed', `${T.questionsRemoved}：${change.questionsRemoved.join('；')}`));
    return item;
  }

  function issuesBlock(issues) {
    return block('issues', t('importIssues', { n: issues.length }), issues, issues.length, (issue) => {
      const where = [
        issue.sheet ? t('importIssueSheet', { sheet: issue.sheet }) : '',
        issue.line === null ? (issue.sheet ? '' : T.importIssueFile) : t('importIssueLine', { line: issue.line }),
      ].filter(Boolean);
      const item = el('li', 'issue');
      item.append(el('span', 'where', where.join(' ')), el('span', 'what', issue.message));
      return item;
    });
  }

  function showPreview(p) {
    const c = p.counts;
    $('import-summary').textContent =
      t('importSummary', { file: p.file.name, rows: c.rows, total: c.total }) +
      (p.file.encoding ? ` ${t('importEncoding', { encoding: p.file.encoding.toUpperCase() })}` : '');
    $('import-counts').replaceChildren(
      count('added', c.added, t('importAdded', { n: c.added })),
      count('changed', c.changed, t('importChanged', { n: c.changed })),
      count('removed', c.removed, t('importRemoved', { n: c.removed })),
      count('unchanged', c.unchanged, t('importUnchanged', { n: c.unchanged })),
      ...(c.skipped ? [count('skipped', c.skipped, t('importSkipped', { n: c.skipped }))] : []),
    );
    $('import-kept').textContent = c.saved || c.learned ? t('importKept', { saved: c.saved, learned: c.learned }) : '';
    $('import-removed-warning').hidden = c.removed === 0;
    $('import-removed-warning').textContent = t('importRemovedWarning', { n: c.removed });
    const blocks = [];
    if (p.issues.length) blocks.push(issuesBlock(p.issues));
    if (c.added) blocks.push(block('added', t('importAdded', { n: c.added }), p.added, c.added, entryItem));
    if (c.changed)
      blocks.push(block('changed', t('importChanged', { n: c.changed }), p.changed, c.changed, changeItem));
    if (c.removed) blocks.push(block('removed', t('importRemoved', { n: c.removed }), p.removed, c.removed, entryItem));
    if (p.changesNothing) blocks.push(el('p', 'nothing', T.importNothing));
    $('import-lists').replaceChildren(...blocks);
    $('import-actions').hidden = p.changesNothing;
    $('import-publish').hidden = false;
    $('import-confirm').hidden = true;
    $('import-result').hidden = false;
  }

  /** Asked in the page, not in a dialog box: a replacement says how many entries go. */
  function askToPublish() {
    if (!preview) return;
    $('import-confirm-text').textContent =
      preview.counts.removed > 0 ? t('importConfirmReplace', { n: preview.counts.removed }) : T.importConfirm;
    $('import-confirm-text').className = preview.counts.removed > 0 ? 'danger' : '';
    $('import-publish').hidden = true;
    $('import-confirm').hidden = false;
  }

  async function publish() {
    if (!preview) return;
    $('import-confirm-yes').disabled = true;
    setStatus(status(), T.importPublishing, false);
    try {
      const result = await api('POST', `${botPath()}/import/publish`, { previewId: preview.previewId });
      forget();
      $('import-file').value = '';
      $('import-file-name').textContent = T.importNoFile;
      await reloadBots();
      setStatus(status(), result.message, false);
    } catch (error) {
      setStatus(status(), error.message, true);
      // A stale or expired preview cannot be published: the file has to be previewed again.
      if (error.status === 409 || error.status === 410) forget();
      else {
        $('import-publish').hidden = false;
        $('import-confirm').hidden = true;
      }
    } finally {
      $('import-confirm-yes').disabled = false;
    }
  }

  fillWords();
  $('import-form').addEventListener('submit', runPreview);
  $('import-file').addEventListener('change', () => {
    forget();
    const file = $('import-file').files[0];
    $('import-file-name').textContent = file ? file.name : T.importNoFile;
  });
  for (const radio of document.querySelectorAll('input[name="import-mode"]')) radio.addEventListener('change', forget);
  $('import-publish').addEventListener('click', askToPublish);
  $('import-confirm-yes').addEventListener('click', publish);
  $('import-confirm-no').addEventListener('click', () => {
    $('import-confirm').hidden = true;
    $('import-publish').hidden = false;
  });
  registerTab('import', { onBotChange: forget });
})();
