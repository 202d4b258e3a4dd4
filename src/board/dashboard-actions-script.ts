/**
 * The dashboard's node actions (inlined after the main script, one CSP hash for both): check now,
 * recover, silence and unsilence, each confirmed in the page's `<dialog>` and sent to the API as
 * a same-origin fetch, which the browser marks `Sec-Fetch-Site: same-origin` (the server refuses
 * cross-site writes). The outcome arrives live by `/api/events`; errors are shown where asked. The
 * dialog works from the keyboard: it opens on the field or button to use, Enter in a field confirms,
 * Escape cancels, and the browser gives the focus back to the button that opened it.
 */
export const ACTIONS_SCRIPT = `
var AGE_TICK_MS = 1000;
var ACTIONS = {
  check: { label: 'check now', method: 'POST', path: '/check',
    title: 'Check {id} now?', text: 'Runs one check through the queue, as gpu-mesh check.' },
  recover: { label: 'recover', method: 'POST', path: '/recover?wait=false',
    title: 'Recover {id}?', text: 'Runs its recovery action once (it may restart Ollama), as gpu-mesh recover.' },
  silence: { label: 'silence', method: 'POST', path: '/silence',
    title: 'Silence {id}?', text: 'No alerts for this node while the silence lasts.' },
  unsilence: { label: 'unsilence', method: 'DELETE', path: '/silence',
    title: 'End the silence of {id}?', text: 'Its alerts are sent again from now on.' },
};
var pending = null;

function actionCell(row, id) {
  var buttons = el('div', { class: 'actions' });
  Object.keys(ACTIONS).forEach(function (action) {
    var button = el('button', { type: 'button', 'data-action': action, 'data-node': id, 'aria-label': ACTIONS[action].label + ' ' + id }, ACTIONS[action].label);
    if (action === 'check') button.setAttribute('data-check', id);
    button.addEventListener('click', function () { openAction(row, id, action); });
    buttons.appendChild(button);
  });
  row.result = el('span', { class: 'action-result', role: 'status' });
  row.cells.action.replaceChildren(buttons, row.result);
}

function renderActions(row) {
  var silenced = row.node.silenced;
  row.cells.action.querySelector('[data-action="silence"]').hidden = silenced;
  row.cells.action.querySelector('[data-action="unsilence"]').hidden = !silenced;
}

function openAction(row, id, action) {
  var spec = ACTIONS[action];
  pending = { row: row, id: id, action: action };
  document.getElementById('action-title').textContent = spec.title.replace('{id}', id);
  document.getElementById('action-text').textContent = spec.text;
  document.getElementById('silence-fields').hidden = action !== 'silence';
  document.getElementById('action-error').textContent = '';
  document.getElementById('action-confirm').disabled = false;
  document.getElementById('action-confirm').textContent = spec.label;
  document.getElementById('action-dialog').showModal();
  // Where a keyboard user goes next: the duration to type, or the button to confirm (Escape cancels).
  document.getElementById(action === 'silence' ? 'silence-for' : 'action-confirm').focus();
}

function send(id, action, body) {
  var spec = ACTIONS[action];
  var init = { method: spec.method, headers: {} };
  if (body) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
  return fetch('api/nodes/' + encodeURIComponent(id) + spec.path, init).then(function (r) {
    return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
  });
}

function failure(answer) { return answer.status + ': ' + (answer.body.error || 'failed'); }

function outcome(action, answer) {
  var b = answer.body;
  if (action === 'check') return b.ok ? 'ok in ' + ms(b.latencyMs) : 'failed: ' + b.error;
  if (action === 'recover') return 'recovery queued';
  if (action === 'silence') return 'silenced until ' + time(b.until);
  return b.removed ? 'silence ended' : 'was not silenced';
}

function confirmAction() {
  if (!pending) return;
  var job = pending;
  var dialog = document.getElementById('action-dialog');
  var error = document.getElementById('action-error');
  var body = null;
  if (job.action === 'silence') {
    body = { for: document.getElementById('silence-for').value.trim() };
    var reason = document.getElementById('silence-reason').value.trim();
    if (reason) body.reason = reason;
    document.getElementById('action-confirm').disabled = true;
    error.textContent = '';
  } else {
    dialog.close();
  }
  job.row.result.replaceChildren(el('span', {}, ACTIONS[job.action].label + '…'));
  send(job.id, job.action, body).then(function (answer) {
    var ok = answer.status >= 200 && answer.status < 300;
    if (job.action === 'silence' && !ok) {
      error.textContent = failure(answer);
      document.getElementById('action-confirm').disabled = false;
      job.row.result.replaceChildren();
      return;
    }
    if (job.action === 'silence') dialog.close();
    job.row.result.replaceChildren(el('span', { class: ok ? '' : 'error' }, ok ? outcome(job.action, answer) : failure(answer)));
    if (ok && job.action === 'recover') {
      job.row.result.appendChild(el('a', { href: 'board/queue/recovery/' + encodeURIComponent(answer.body.jobId) }, ' job'));
    }
  }).catch(function (e) {
    job.row.result.replaceChildren(el('span', { class: 'error' }, 'failed: ' + e.message));
    if (dialog.open) { error.textContent = 'failed: ' + e.message; document.getElementById('action-confirm').disabled = false; }
  });
}

function ago(iso) {
  if (!iso) return null;
  return Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
}
function renderAge(row) {
  var seconds = ago(row.node.lastCheckAt);
  row.age.setAttribute('data-age-s', seconds === null ? '' : String(seconds));
  row.age.textContent = seconds === null ? 'never checked'
    : 'checked ' + (seconds < 120 ? seconds + ' s' : Math.floor(seconds / 60) + ' min') + ' ago';
}

document.getElementById('action-confirm').addEventListener('click', confirmAction);
document.getElementById('silence-fields').addEventListener('keydown', function (e) {
  if (e.key === 'Enter') { e.preventDefault(); confirmAction(); }
});
document.getElementById('action-cancel').addEventListener('click', function () { document.getElementById('action-dialog').close(); });
// The close event comes as a task of its own: a dialog opened again meanwhile (Escape, then Enter at
// once) keeps the action it was opened for.
document.getElementById('action-dialog').addEventListener('close', function () { if (!this.open) pending = null; });
setInterval(function () { rows.forEach(function (row) { if (row.node) renderAge(row); }); }, AGE_TICK_MS);
`;
