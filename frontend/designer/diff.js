// Diff page: both versions side by side, coloured with bpmn-js-differ (added / removed / changed / moved).
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { BpmnModdle } from 'bpmn-moddle';
import { diff } from 'bpmn-js-differ';

import spiffworkflow from './spiffworkflow.json';

const config = JSON.parse(document.getElementById('diff-config').textContent);

async function load(url) {
  const response = await fetch(url, { headers: { Accept: 'application/xml' } });
  return response.text();
}

function mark(viewer, ids, marker) {
  const registry = viewer.get('elementRegistry');
  const canvas = viewer.get('canvas');
  ids.forEach((id) => {
    if (registry.get(id)) {
      canvas.addMarker(id, marker);
    }
  });
}

async function show() {
  const [oldXml, newXml] = await Promise.all([load(config.oldUrl), load(config.newUrl)]);
  const moddle = new BpmnModdle({ spiffworkflow });
  const [a, b] = await Promise.all([moddle.fromXML(oldXml), moddle.fromXML(newXml)]);
  const changes = diff(a.rootElement, b.rootElement);
  const viewers = [['#diff-old', oldXml], ['#diff-new', newXml]].map(([container]) => new NavigatedViewer({
    container, moddleExtensions: { spiffworkflow },
  }));
  await viewers[0].importXML(oldXml);
  await viewers[1].importXML(newXml);
  viewers.forEach((viewer) => viewer.get('canvas').zoom('fit-viewport'));
  mark(viewers[0], Object.keys(changes._removed), 'diff-removed');
  mark(viewers[1], Object.keys(changes._added), 'diff-added');
  viewers.forEach((viewer) => {
    mark(viewer, Object.keys(changes._changed), 'diff-changed');
    mark(viewer, Object.keys(changes._layoutChanged), 'diff-layout-changed');
  });
  const summary = { added: Object.keys(changes._added), removed: Object.keys(changes._removed),
    changed: Object.keys(changes._changed), layoutChanged: Object.keys(changes._layoutChanged) };
  document.body.dataset.diff = JSON.stringify(summary);
}

show().catch((error) => {
  document.body.dataset.diffError = String(error && error.message ? error.message : error);
});
