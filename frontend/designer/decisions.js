// Decision table page: dmn-js Modeler; save (draft) / deploy (publish) through the server, which re-validates the
// DMN with the engine and answers with findings per element (rules, cells), highlighted in the table.
import DmnModeler from 'dmn-js/lib/Modeler';
import { fill, findingText, guard, post, publish, statusLine } from './server.js';

const config = JSON.parse(document.getElementById('decision-config').textContent);
const status = document.getElementById('decision-status');
const issuesList = document.getElementById('decision-issues');

const modeler = new DmnModeler({ container: '#decision-canvas', common: { keyboard: { bindTo: window } } });
window.motcuaDmn = modeler; // for browser tests and debugging

let findings = [];

const say = statusLine(status);
const message = (finding) => findingText(config, finding);

function markCells() {
  document.querySelectorAll('.decision-issue-cell').forEach((cell) => cell.classList.remove('decision-issue-cell'));
  findings.forEach((finding) => {
    if (!finding.element_id) {
      return;
    }
    document.querySelectorAll(`#decision-canvas [data-element-id="${CSS.escape(finding.element_id)}"]`)
      .forEach((cell) => {
        cell.classList.add('decision-issue-cell');
        cell.title = message(finding);
      });
  });
}

function showFindings(list) {
  findings = list;
  issuesList.replaceChildren(...list.map((finding) => {
    const item = document.createElement('li');
    item.className = finding.severity === 'error' ? 'text-danger' : 'text-warning-emphasis';
    item.dataset.elementId = finding.element_id || '';
    item.textContent = message(finding);
    return item;
  }));
  markCells();
}

async function save() {
  const { xml } = await modeler.saveXML({ format: true });
  const comment = document.getElementById('decision-comment').value;
  const result = await post(config.saveUrl, { xml, comment });
  if (!result.ok) {
    showFindings((result.body.errors && result.body.errors.findings) || []);
    say(result.body.detail || config.messages.invalid, 'danger');
    return null;
  }
  showFindings([]);
  const { version, created } = result.body;
  say(fill(created ? config.messages.saved : config.messages.unchanged, version.number), 'success');
  return result.body;
}

async function deploy() {
  const comment = document.getElementById('decision-comment').value.trim();
  if (!comment) {
    say(config.messages.needComment, 'warning');
    return;
  }
  const saved = await save();
  if (!saved) {
    return;
  }
  await publish(config, saved, comment, { say, showFindings });
}

const guarded = (fn) => guard(fn, say, config.messages.error);

document.getElementById('decision-save').addEventListener('click', guarded(save));
document.getElementById('decision-deploy').addEventListener('click', guarded(deploy));
modeler.on('views.changed', () => window.setTimeout(markCells, 0));

async function open() {
  const response = await fetch(config.xmlUrl, { headers: { Accept: 'application/xml' } });
  await modeler.importXML(await response.text());
  const table = modeler.getViews().find((view) => view.type === 'decisionTable');
  if (table) {
    await modeler.open(table);
  }
  document.body.dataset.decisionReady = 'true';
}

open().catch((error) => say(`${config.messages.error} ${error.message || error}`, 'danger'));
