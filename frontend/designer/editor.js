// BPMN editor page: bpmn-js Modeler, properties panel (+ Motcua provider), bpmnlint, token simulation,
// save (draft) / deploy (publish) through the server, which re-validates and answers with findings per element.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';
import TokenSimulationModule from 'bpmn-js-token-simulation';
import bpmnlintConfig from 'motcua-bpmnlint-config';

import { lintMessageVi, localizeLint, translateTitles, viTranslateModule } from './i18n-vi.js';
import { layoutDiagram } from './layout.js';
import MotcuaPropertiesProvider from './provider.js';
import { fill, findingText, guard, post, publish, statusLine } from './server.js';
import spiffworkflow from './spiffworkflow.json';

const config = JSON.parse(document.getElementById('designer-config').textContent);
const status = document.getElementById('designer-status');
const issuesList = document.getElementById('designer-issues');
const vietnamese = config.lang !== 'en';

const modeler = new BpmnModeler({
  container: '#designer-canvas',
  propertiesPanel: { parent: '#designer-properties' },
  linting: { bpmnlint: vietnamese ? localizeLint(bpmnlintConfig, lintMessageVi) : bpmnlintConfig, active: true },
  additionalModules: [
    ...(vietnamese ? [viTranslateModule] : []),
    BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, lintModule, TokenSimulationModule,
    { __init__: ['motcuaPropertiesProvider'], motcuaPropertiesProvider: ['type', MotcuaPropertiesProvider] },
  ],
  moddleExtensions: { spiffworkflow },
});
window.motcuaModeler = modeler; // for browser tests and debugging
if (vietnamese) {
  translateTitles(document.querySelector('#designer-properties'));
}

let overlayIds = [];

const say = statusLine(status);

// The header names the version being edited: after a save it is the new draft, after a deploy the published one.
function showVersion(number, published) {
  const header = document.getElementById('designer-version');
  if (header) {
    header.textContent = `v${number} · ${published ? config.messages.published : config.messages.draft}`;
    header.dataset.number = number;
  }
}
const message = (finding) => findingText(config, finding);

function clearFindings() {
  const overlays = modeler.get('overlays');
  overlayIds.forEach((id) => overlays.remove(id));
  overlayIds = [];
  issuesList.replaceChildren();
}

function showFindings(findings) {
  clearFindings();
  const overlays = modeler.get('overlays');
  const registry = modeler.get('elementRegistry');
  findings.forEach((finding) => {
    const item = document.createElement('li');
    item.className = finding.severity === 'error' ? 'text-danger' : 'text-warning-emphasis';
    item.dataset.elementId = finding.element_id || '';
    item.textContent = `${finding.element_id ? `[${finding.element_id}] ` : ''}${message(finding)}`;
    issuesList.appendChild(item);
    const element = finding.element_id && registry.get(finding.element_id);
    if (element && element.type !== 'bpmn:Process') {
      const badge = document.createElement('div');
      badge.className = `designer-issue designer-issue-${finding.severity}`;
      badge.dataset.elementId = finding.element_id;
      badge.textContent = message(finding);
      overlayIds.push(overlays.add(element, 'motcua-issue', { position: { bottom: -4, left: 0 }, html: badge }));
    }
  });
}

async function save() {
  const { xml } = await modeler.saveXML({ format: true });
  const comment = document.getElementById('designer-comment').value;
  const result = await post(config.saveUrl, { xml, comment });
  if (!result.ok) {
    showFindings((result.body.errors && result.body.errors.findings) || []);
    say(result.body.detail || config.messages.invalid, 'danger');
    return null;
  }
  const { version, created, findings, warnings } = result.body;
  showVersion(version.number, version.status === 'published');
  showFindings([...findings, ...warnings]);
  say(fill(created ? config.messages.saved : config.messages.unchanged, version.number),
    findings.length ? 'warning' : 'success');
  return result.body;
}

async function deploy() {
  const comment = document.getElementById('designer-comment').value.trim();
  if (!comment) {
    say(config.messages.needComment, 'warning');
    return;
  }
  const saved = await save();
  if (!saved) {
    return;
  }
  if (saved.findings.some((f) => f.severity === 'error')) {
    say(config.messages.lintBlocked, 'warning');
    return;
  }
  if (await publish(config, saved, comment, { say, showFindings })) {
    showVersion(saved.version.number, true);
  }
}

const guarded = (fn) => guard(fn, say, config.messages.error);

document.getElementById('designer-save').addEventListener('click', guarded(save));
document.getElementById('designer-deploy').addEventListener('click', guarded(deploy));
document.getElementById('designer-toggle-sim').addEventListener('click', () => modeler.get('toggleMode').toggleMode());

// fit-viewport centres the diagram under the palette; leave the palette's width free on the left.
function fitBesidePalette(canvas) {
  canvas.zoom('fit-viewport');
  const palette = document.querySelector('#designer-canvas .djs-palette');
  const width = palette ? palette.getBoundingClientRect().width + 16 : 0;
  const { inner, outer } = canvas.viewbox();
  const scale = Math.min(canvas.zoom(), (outer.width - width) / Math.max(inner.width, 1), outer.height / Math.max(inner.height, 1)) * 0.95;
  canvas.zoom(scale);
  const box = canvas.viewbox();
  canvas.viewbox({ x: inner.x - width / scale, y: inner.y - (box.height - inner.height) / 2, width: box.width, height: box.height });
}

fetch(config.xmlUrl, { headers: { Accept: 'application/xml' } })
  .then((response) => response.text())
  // drafts imported from tools that export no layout are laid out automatically (saved with it on the next save)
  .then((xml) => (/BPMNDiagram[\s>]/.test(xml) ? xml : layoutDiagram(xml)))
  .then((xml) => modeler.importXML(xml))
  .then(() => {
    fitBesidePalette(modeler.get('canvas'));
    document.body.dataset.designerReady = 'true';
  })
  .catch((error) => say(`${config.messages.error} ${error.message || error}`, 'danger'));
