"""Compact, spec-free instance state.

Spiff's own dict (`BpmnWorkflowSerializer.to_dict`) embeds the whole spec and a flat task
map with every UUID three times. We store instead:

    {"serializer_version": 1, "model_hash": ..., "process_id": ..., "wf": WF}
    WF   = {"t": NODES, "d": data, "last": id, "ok": false, "done": true, "cor": {...},
            "sp": {parent task id: WF}, "ev": [events]}            (defaults omitted)
    NODES = [[id, task spec name, state, last_state_change ms, parent index, {extras}?], ...]
    extras: "d" root data, "x" internal data, "tr" triggered, "u"/"del" data delta vs parent

Nodes are a flat pre-order list (a nested tree would be as deep as the task chain is long,
and JSON encoders and databases limit nesting).

Ids are UUIDs in 22-char base64url. Tasks are restored with Spiff's own TaskConverter
against the cached spec objects of the model version, so semantics stay Spiff's.
"""
from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.deep_merge import DeepMerge

from engine.errors import EngineError
from engine.timers import CLOCKED

SERIALIZER_VERSION = 1
_TASK = "Task"
# from_version -> function returning the state in the next version's format (see upgrade_state).
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def make_registry() -> Any:
    """Spiff's converter registry, taught that our clocked timers serialise like Spiff's."""
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    for original, clocked in CLOCKED.items():
        TimerConditionalEventDefinitionConverter(clocked, registry, typename=original.__name__)
    return registry


def short_id(task_id: UUID) -> str:
    """Encode a UUID in 22 characters."""
    return base64.urlsafe_b64encode(task_id.bytes).rstrip(b"=").decode("ascii")


def long_id(value: str) -> UUID:
    """Decode a short id back to the UUID."""
    return UUID(bytes=base64.urlsafe_b64decode(value + "=="))


class StateSerializer:
    """Turn a BpmnWorkflow into our compact dict and back, without the spec."""

    def __init__(self, registry: Any | None = None) -> None:
        self.registry = registry or make_registry()

    # -- dump -------------------------------------------------------------------------------
    def dump(self, workflow: BpmnWorkflow, model_hash: str, process_id: str) -> dict[str, Any]:
        """Serialise a workflow into a JSON-ready dict (no shared references with the workflow)."""
        body = self._dump_workflow(workflow)
        if workflow.subprocesses:
            body["sp"] = {short_id(key): self._dump_workflow(sp) for key, sp in workflow.subprocesses.items()}
        if workflow.bpmn_events:
            body["ev"] = self.registry.convert(workflow.bpmn_events)
        return {
            "serializer_version": SERIALIZER_VERSION, "model_hash": model_hash, "process_id": process_id, "wf": body,
        }

    def _dump_workflow(self, workflow: Any) -> dict[str, Any]:
        """Serialise the attributes shared by the top workflow and subworkflows."""
        body: dict[str, Any] = {"t": self._dump_tree(workflow.task_tree)}
        data = self.registry.convert(self.registry.clean(workflow.data))
        if data:
            body["d"] = data
        if workflow.last_task is not None:
            body["last"] = short_id(workflow.last_task.id)
        if not workflow.success:
            body["ok"] = False
        if workflow.completed:
            body["done"] = True
        if workflow.correlations:
            body["cor"] = self.registry.convert(workflow.correlations)
        return body

    def _dump_tree(self, root: Any) -> list[list[Any]]:
        """Flatten a task tree in pre-order; each node names its parent by index (no deep nesting)."""
        nodes: list[list[Any]] = []
        stack: list[tuple[Any, int]] = [(root, -1)]
        while stack:
            task, parent_index = stack.pop()
            index = len(nodes)
            nodes.append(self._dump_node(task, parent_index))
            stack.extend((child, index) for child in reversed(task.children))
        return nodes

    def _dump_node(self, task: Any, parent_index: int) -> list[Any]:
        """Serialise one task: [id, spec name, state, ms, parent index, extras?]."""
        node: list[Any] = [short_id(task.id), task.task_spec.name, task.state, round(task.last_state_change * 1000),
                           parent_index]
        extras: dict[str, Any] = {}
        parent = task.parent
        if parent is None:
            if task.data:
                extras["d"] = self.registry.convert(self.registry.clean(task.data))
        else:
            updates = DeepMerge.get_updated_keys(parent.data, task.data)
            if updates:
                extras["u"] = self.registry.convert(self.registry.clean(updates))
            deletions = DeepMerge.get_deleted_keys(parent.data, task.data)
            if deletions:
                extras["del"] = sorted(deletions, key=str)  # stable across dict key order
        if task.internal_data:
            extras["x"] = self.registry.convert(task.internal_data)
        if task.triggered:
            extras["tr"] = 1
        if extras:
            node.append(extras)
        return node

    # -- load -------------------------------------------------------------------------------
    def load(
        self, state: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any], script_engine: Any,
    ) -> BpmnWorkflow:
        """Rebuild a workflow from state against cached specs; `state` is never modified."""
        body = state["wf"]
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
        self._load_workflow(workflow, body)
        pending = dict(body.get("sp", {}))
        self._load_subprocesses(workflow, workflow, pending)
        if pending:
            raise EngineError("corrupt state: subprocesses without a parent task", details={"ids": sorted(pending)})
        workflow.bpmn_events = self.registry.restore(body.get("ev", []))
        return workflow

    def _load_workflow(self, workflow: Any, body: dict[str, Any]) -> None:
        """Restore tasks (parents first, so data deltas resolve) and workflow attributes."""
        nodes = body["t"]
        uuids = [str(long_id(node[0])) for node in nodes]
        children: list[list[str]] = [[] for _ in nodes]
        for index, node in enumerate(nodes[1:], start=1):
            children[node[4]].append(uuids[index])
        workflow.tasks = {}
        for index, node in enumerate(nodes):
            parent = uuids[node[4]] if node[4] >= 0 else None
            self.registry.restore(self._task_dict(node, uuids[index], parent, children[index]), workflow=workflow)
        workflow.task_tree = workflow.tasks[UUID(uuids[0])]
        workflow.data = self.registry.restore(body.get("d", {}))
        workflow.success = body.get("ok", True)
        workflow.completed = body.get("done", False)
        workflow.correlations = self.registry.restore(body.get("cor", {}))
        last = body.get("last")
        workflow.last_task = workflow.tasks.get(long_id(last)) if last else None

    def _load_subprocesses(self, top: BpmnWorkflow, workflow: Any, pending: dict[str, Any]) -> None:
        """Recreate subworkflows under their parent tasks, outermost first."""
        for task in list(workflow.tasks.values()):
            body = pending.pop(short_id(task.id), None)
            if body is None:
                continue
            sub = BpmnSubWorkflow(top.subprocess_specs.get(task.task_spec.spec), task.id, top, deserializing=True)
            self._load_workflow(sub, body)
            top.subprocesses[task.id] = sub
            sub.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
            self._load_subprocesses(top, sub, pending)

    @staticmethod
    def _task_dict(node: list[Any], task_id: str, parent_id: str | None, children: list[str]) -> dict[str, Any]:
        """Expand a compact node into the dict Spiff's TaskConverter restores."""
        extras = node[5] if len(node) > 5 else {}
        return {
            "typename": _TASK,
            "id": task_id,
            "parent": parent_id,
            "children": children,
            "last_state_change": node[3] / 1000,
            "state": node[2],
            "task_spec": node[1],
            "triggered": bool(extras.get("tr")),
            "internal_data": extras.get("x", {}),
            "data": extras.get("d", {}),
            "delta": {} if parent_id is None else {"updates": extras.get("u", {}), "deletions": extras.get("del", [])},
        }


def upgrade_state(state: Mapping[str, Any]) -> Mapping[str, Any]:
    """Bring a stored state up to SERIALIZER_VERSION, one registered step at a time."""
    version = state.get("serializer_version")
    while version != SERIALIZER_VERSION:
        step = UPGRADES.get(version) if isinstance(version, int) else None
        if step is None:
            raise EngineError(f"unsupported serializer_version {version!r} (current {SERIALIZER_VERSION})")
        state = step(dict(state))
        version = state.get("serializer_version")
    return state
