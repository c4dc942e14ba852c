// Automatic layout for diagrams exported without one, pools and lanes included.
// bpmn-auto-layout (1.3) lays out the flow of one process and leaves pools and lanes out, so a model whose
// lanes say who does each step (the officials' roles) lost them. Here its columns are kept and each element
// is moved into its lane's band; the pool and lane shapes are added and the flows re-routed orthogonally.
import { layoutProcess } from 'bpmn-auto-layout';

const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
const BPMNDI = 'http://www.omg.org/spec/BPMN/20100524/DI';
const DC = 'http://www.omg.org/spec/DD/20100524/DC';
const DI = 'http://www.omg.org/spec/DD/20100524/DI';
const ROW = 120; // one element's row inside a lane
const PAD = 20; // above and below the rows of a lane
const POOL_LABEL = 30; // the pool's name band on the left
const MARGIN = 50; // space between the pool edge and the first and last element

const num = (el, name) => parseFloat(el.getAttribute(name));

function leafLanes(laneSet) {
  const lanes = [];
  for (const lane of laneSet.children) {
    if (lane.localName !== 'lane') { continue; }
    const child = [...lane.children].find((c) => c.localName === 'childLaneSet');
    if (child) { lanes.push(...leafLanes(child)); } else { lanes.push(lane); }
  }
  return lanes;
}

function bounds(doc, x, y, width, height) {
  const el = doc.createElementNS(DC, 'dc:Bounds');
  Object.entries({ x, y, width, height }).forEach(([k, v]) => el.setAttribute(k, String(Math.round(v))));
  return el;
}

function shape(doc, id, element, box) {
  const el = doc.createElementNS(BPMNDI, 'bpmndi:BPMNShape');
  el.setAttribute('id', `${element}_di`);
  el.setAttribute('bpmnElement', element);
  el.setAttribute('isHorizontal', 'true');
  el.appendChild(bounds(doc, box.x, box.y, box.width, box.height));
  return el;
}

function reroute(doc, edge, source, target) {
  [...edge.children].forEach((c) => edge.removeChild(c));
  const s = { x: num(source, 'x') + num(source, 'width'), y: num(source, 'y') + num(source, 'height') / 2 };
  const t = { x: num(target, 'x'), y: num(target, 'y') + num(target, 'height') / 2 };
  const points = Math.abs(s.y - t.y) < 1 ? [s, t]
    : t.x > s.x ? [s, { x: (s.x + t.x) / 2, y: s.y }, { x: (s.x + t.x) / 2, y: t.y }, t]
      : [s, { x: s.x + 20, y: s.y }, { x: s.x + 20, y: t.y - 60 }, { x: t.x - 20, y: t.y - 60 },
        { x: t.x - 20, y: t.y }, t];
  points.forEach((p) => {
    const wp = doc.createElementNS(DI, 'di:waypoint');
    wp.setAttribute('x', String(Math.round(p.x)));
    wp.setAttribute('y', String(Math.round(p.y)));
    edge.appendChild(wp);
  });
}

// Move the auto-laid elements of `process` into lane bands; returns the pool's box.
function intoLanes(doc, process, lanes, diBounds) {
  const laneOf = new Map();
  lanes.forEach((lane, index) => [...lane.children].filter((c) => c.localName === 'flowNodeRef')
    .forEach((ref) => laneOf.set(ref.textContent.trim(), index)));
  const nodes = [...process.children].filter((c) => diBounds.has(c.getAttribute('id')) && c.localName !== 'boundaryEvent');
  const columns = lanes.map(() => new Map()); // lane -> column x -> nodes (in auto-layout row order)
  nodes.sort((a, b) => num(diBounds.get(a.getAttribute('id')), 'y') - num(diBounds.get(b.getAttribute('id')), 'y'));
  nodes.forEach((node) => {
    const box = diBounds.get(node.getAttribute('id'));
    const lane = laneOf.get(node.getAttribute('id')) ?? 0;
    const centre = Math.round(num(box, 'x') + num(box, 'width') / 2);
    const column = columns[lane].get(centre) || [];
    column.push(node);
    columns[lane].set(centre, column);
  });
  const all = [...diBounds.values()];
  const minX = Math.min(...all.map((b) => num(b, 'x')));
  const maxX = Math.max(...all.map((b) => num(b, 'x') + num(b, 'width')));
  const pool = { x: minX - MARGIN - POOL_LABEL, y: 0, width: maxX - minX + 2 * MARGIN + POOL_LABEL, height: 0 };
  const moved = new Map();
  const laneBoxes = [];
  let top = pool.y;
  columns.forEach((laneColumns) => {
    const rows = Math.max(1, ...[...laneColumns.values()].map((c) => c.length));
    const height = rows * ROW + 2 * PAD;
    laneColumns.forEach((column) => column.forEach((node, row) => {
      const box = diBounds.get(node.getAttribute('id'));
      const y = top + PAD + row * ROW + (ROW - num(box, 'height')) / 2;
      moved.set(node.getAttribute('id'), y - num(box, 'y'));
      box.setAttribute('y', String(Math.round(y)));
    }));
    laneBoxes.push({ x: pool.x + POOL_LABEL, y: top, width: pool.width - POOL_LABEL, height });
    top += height;
  });
  pool.height = top - pool.y;
  [...process.children].filter((c) => c.localName === 'boundaryEvent').forEach((event) => {
    const box = diBounds.get(event.getAttribute('id'));
    const delta = moved.get(event.getAttribute('attachedToRef'));
    if (box && delta) { box.setAttribute('y', String(Math.round(num(box, 'y') + delta))); }
  });
  return { pool, laneBoxes };
}

export async function layoutDiagram(xml) {
  const laidOut = await layoutProcess(xml);
  const doc = new DOMParser().parseFromString(laidOut, 'application/xml');
  const byId = new Map([...doc.getElementsByTagNameNS(BPMN, '*')].map((el) => [el.getAttribute('id'), el]));
  const participant = doc.getElementsByTagNameNS(BPMN, 'participant')[0];
  const process = participant ? byId.get(participant.getAttribute('processRef'))
    : doc.getElementsByTagNameNS(BPMN, 'process')[0];
  const plane = doc.getElementsByTagNameNS(BPMNDI, 'BPMNPlane')[0];
  if (!participant || !process || !plane) { return laidOut; }
  const diBounds = new Map();
  [...plane.getElementsByTagNameNS(BPMNDI, 'BPMNShape')].forEach((s) => {
    const box = s.getElementsByTagNameNS(DC, 'Bounds')[0];
    if (box) { diBounds.set(s.getAttribute('bpmnElement'), box); }
  });
  [...plane.getElementsByTagNameNS(BPMNDI, 'BPMNLabel')].forEach((label) => label.parentNode.removeChild(label));
  const laneSet = [...process.children].find((c) => c.localName === 'laneSet');
  const lanes = laneSet ? leafLanes(laneSet) : [];
  const { pool, laneBoxes } = intoLanes(doc, process, lanes.length ? lanes : [process], diBounds);
  [...plane.getElementsByTagNameNS(BPMNDI, 'BPMNEdge')].forEach((edge) => {
    const flow = byId.get(edge.getAttribute('bpmnElement'));
    const source = flow && diBounds.get(flow.getAttribute('sourceRef'));
    const target = flow && diBounds.get(flow.getAttribute('targetRef'));
    if (source && target) { reroute(doc, edge, source, target); }
  });
  const collaboration = participant.parentNode;
  plane.setAttribute('bpmnElement', collaboration.getAttribute('id'));
  const first = plane.firstChild;
  plane.insertBefore(shape(doc, 'pool', participant.getAttribute('id'), pool), first);
  lanes.forEach((lane, index) => plane.insertBefore(shape(doc, 'lane', lane.getAttribute('id'), laneBoxes[index]), first));
  return new XMLSerializer().serializeToString(doc);
}
