"""Which version of a called process a call activity starts (调用活动的版本绑定).

Camunda 7's ``camunda:calledElementBinding`` — ``latest`` (the default), ``deployment``, ``version``
with ``camunda:calledElementVersion``, ``versionTag`` with ``camunda:calledElementVersionTag`` — and
Camunda 8's ``<zeebe:calledElement bindingType>`` — ``latest``, ``deployment``, ``versionTag`` with
``versionTag`` — become two properties of the call activity in our dialect (engine/dialects.py
``_called_binding``): ``calledBinding`` and ``calledVersion``. A version's tag is what its process
draws (``camunda:versionTag="2026-v2"`` on the process, or ``<zeebe:versionTag value="2026-v2"/>`` in
its extensionElements), kept with the deployed version (``process_model.version_tag``, revision 0036).

A case's called versions are chosen when it starts, with the rest of its frozen spec bundle
(engine/models.py ``_dependencies``), by the binding of each call activity of the calling version:

- ``latest``: the latest deployed version of the called process;
- ``deployment``: the version deployed with the calling version — the called process's version in
  the same file if it is one, else the latest deployed before the calling version was (Camunda 7:
  the same deployment; Zeebe: the same deployment resource set);
- ``version``: that version number;
- ``versionTag``: the latest version whose process carries that tag.

A version or tag no deployed version has is refused at the start in Chinese naming the call
activity, what it binds to and the process (Camunda 7 fails the call: "no processes deployed with
key … and version/versionTag …"; Zeebe raises an incident) — the case does not start on a version
the model did not ask for.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from .errors import NotFound
from .schema import ProcessModel

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
BINDING, VERSION = "calledBinding", "calledVersion"
BINDINGS = ("latest", "deployment", "version", "versionTag")


@dataclass(frozen=True)
class Call:
    """A call activity of a process version: the process it calls and the version it binds to."""
    key: str
    binding: str = "latest"
    value: str = ""
    activity: str = ""  # how the call activity is named in a message: 调用活动「转区县复核」(Activity_0handover)


def version_tags(source_root) -> dict[str, str]:
    """The version tag each process of a file as drawn carries, by process id (none: not listed)."""
    tags = {}
    for process in source_root.iter(f"{{{BPMN_NS}}}process"):
        tag = (process.get(f"{{{CAMUNDA_NS}}}versionTag") or "").strip()
        drawn = process.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}versionTag")
        if not tag and drawn is not None:
            tag = (drawn.get("value") or "").strip()
        if tag and process.get("id"):
            tags[process.get("id")] = tag[:128]
    return tags


def calls_of(root) -> tuple[Call, ...]:
    """The call activities of a file in our dialect: what each calls, bound how."""
    found = []
    for el in root.iter(f"{{{BPMN_NS}}}callActivity"):
        key = (el.get("calledElement") or "").strip()
        if not key:
            continue
        props = {p.get("name"): p.get("value") or "" for p in el.iterfind(
            f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property")}
        name = " ".join((el.get("name") or "").split())
        activity = f"调用活动「{name}」({el.get('id')})" if name else f"调用活动 {el.get('id')}"
        found.append(Call(key, props.get(BINDING) or "latest", (props.get(VERSION) or "").strip(), activity))
    return tuple(found)


def bound_version(s, caller: ProcessModel, call: Call, *options) -> ProcessModel:
    """The version of ``call.key`` that ``call`` (a call activity of version ``caller``) starts; NotFound
    in Chinese naming the call activity when no deployed version is the one it binds to."""
    pm = ProcessModel
    q = sa.select(pm).options(*options).where(pm.key == call.key)
    if call.binding == "version":
        number = int(call.value) if call.value.isdigit() else -1
        row = s.execute(q.where(pm.version == number)).scalar_one_or_none()
        which = f"第 {call.value} 版"
    elif call.binding == "versionTag":
        row = s.execute(q.where(pm.version_tag == call.value).order_by(pm.version.desc()).limit(1)).scalar_one_or_none()
        which = f"版本标签为「{call.value}」的版本"
    elif call.binding == "deployment":
        row = s.execute(q.where(sa.or_(pm.id < caller.id, pm.content_hash == caller.content_hash))
                        .order_by(pm.version.desc()).limit(1)).scalar_one_or_none()
        which = f"与流程「{caller.name or caller.key}」第 {caller.version} 版同时部署的版本"
    else:
        row = s.execute(q.order_by(pm.version.desc()).limit(1)).scalar_one_or_none()
        which = "最新版本"
    if row is not None:
        return row
    if call.binding == "latest":
        raise NotFound(f"被调用的流程「{call.key}」未部署（由流程「{caller.name or caller.key}」调用），请先部署它")
    called = s.execute(sa.select(pm.name).where(pm.key == call.key).order_by(pm.version.desc()).limit(1)).scalar()
    raise NotFound(f"流程「{caller.name or caller.key}」的{call.activity}指定调用流程「{called or call.key}」的{which}，"
                   f"但没有部署这样的版本，案件不能发起；请先部署该版本，或在模型中修改该调用活动的版本绑定")


def drawn_binding(el, vendor_attr) -> tuple[str, str, str] | None:
    """(binding as drawn, binding as we name it, version or tag) of a call activity drawn in Camunda 7
    or 8; None if it draws none. ``vendor_attr(el, name)``: Camunda 7's attribute in any vendor
    namespace (engine/dialects.py)."""
    zeebe = el.find(f"{{{BPMN_NS}}}extensionElements/{{{ZEEBE_NS}}}calledElement")
    if zeebe is not None:
        drawn = (zeebe.get("bindingType") or "").strip()
        value = (zeebe.get("versionTag") or "").strip()
    else:
        drawn = (vendor_attr(el, "calledElementBinding") or "").strip()
        value = (vendor_attr(el, "calledElementVersionTag") if drawn.lower() == "versiontag"
                 else vendor_attr(el, "calledElementVersion") if drawn.lower() == "version" else "") or ""
        value = value.strip()
    if not drawn:
        return None
    ours = next((b for b in BINDINGS if b.lower() == drawn.lower()), None)
    return drawn, ours or "", value



