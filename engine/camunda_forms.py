"""Camunda 8 forms (Camunda 8 表单): a form-js schema read as the fields of a form drawn in the model.

Camunda Modeler 5 draws a Camunda 8 user task's form with form-js (the ``.form`` editor) and links it
to the task in one of two ways:

- embedded (Camunda 8.0–8.2's default): the form's JSON is the text of a ``zeebe:userTaskForm``
  element in the process's ``extensionElements``, named by the task's (or the start event's)
  ``<zeebe:formDefinition formKey="camunda-forms:bpmn:UserTaskForm_1"/>``;
- linked (8.3 and later): ``<zeebe:formDefinition formId="inspection-form"/>`` names a ``.form``
  file deployed beside the model in Zeebe. Deployed with the model (``link_forms``: REST API field
  ``forms``, ``duban deploy model.bpmn x.form``), the form is embedded in the stored version as
  Camunda Modeler embeds one; deployed without, the task gets the generic form and a warning names
  the task and the form (engine/dialects.py): the model still runs, not silently half-read.

``fields`` turns the schema into the same field dicts engine/dialects.py makes of Camunda 7's
``formField`` and Flowable's ``formProperty`` (the task's ``formFields`` property), so that
engine/model_forms.py checks a completion against them and webui/drawn_form.py shows them, as it
does for those. form-js components, as read here:

- ``textfield`` text, ``textarea`` several lines; ``validate.minLength``/``maxLength`` checked;
- ``number``: an integer when ``decimalDigits`` is 0, else a decimal; ``validate.min``/``max`` checked;
- ``checkbox``: 是/否, false when not given (form-js submits an unticked box as false);
- ``radio``/``select``: one of ``values`` (``label`` shown, ``value`` stored); ``checklist``/
  ``taglist``: several of them (a list). Choices from the case — ``valuesKey``, or a
  ``valuesExpression`` that is a variable or a path (``=regions``, ``=enterprise.categories``) — are
  ``valuesFrom``: the case's list when the task is shown and done (engine/model_forms.choices_from);
  a ``valuesExpression`` that is a list literal (``=["甲","乙"]``, ``=[{label: "甲", value: "a"}]``) is
  read as drawn choices; any other expression is not known before the case runs: a text box, said
  at deploy;
- ``datetime``: ``subtype`` date (the ISO day), datetime (the moment in Beijing), time (``09:30``);
- ``text`` (its markdown shown as plain lines), ``image``, ``spacer``, ``separator``, ``button``,
  ``html``: shown only, or nothing; a ``group``'s (``dynamiclist``'s) components are read as the
  form's own;
- ``validate.required``, ``defaultValue``, ``readonly``/``disabled`` (true: shown, not written),
  ``label`` (the Chinese the page and the errors name), ``key`` (the case variable);
- ``conditional.hide``: FEEL translated to Python (engine/expressions.py); when the translation is a
  plain expression (engine/restricted.is_plain) the field is not required while the condition holds
  on the submitted values (engine/model_forms.py); a condition not translated is noted and the field
  is always shown and checked;
- any other component (``filepicker``, ``expression``, ``table``...) with a ``key``: a text box, and a
  warning at deploy naming the task and the field (a ``filepicker`` is typed ``file``: a required one
  left empty says 请上传<label>, as our forms' file fields do — engine/model_forms.missing).

One job: schema in, (fields, warnings) out; nothing here reads the database or runs model code.
"""
from __future__ import annotations

import ast
import json
import re

from .expressions import Untranslatable, translate
from .restricted import is_plain

EMBEDDED_PREFIX = "camunda-forms:bpmn:"
KEYED = {"textfield", "textarea", "number", "checkbox", "checklist", "taglist", "radio", "select", "datetime"}
SHOWN_ONLY = {"text", "image", "spacer", "separator", "button", "html", "iframe", "documentPreview"}
NESTED = {"group", "dynamiclist"}
COMPONENT_NAMES = {"filepicker": "文件上传", "expression": "计算值", "table": "表格", "dynamiclist": "动态列表"}
MAX_COMPONENTS = 500  # a form bigger than this is not a form a person fills in


class FormError(ValueError):
    """The schema cannot be read (not JSON, no components): the message says why, in Chinese."""


def parse(text: str) -> dict:
    """The form-js schema in ``text`` (a ``zeebe:userTaskForm``'s content or a ``.form`` file)."""
    try:
        schema = json.loads(text or "")
    except (ValueError, RecursionError):  # RecursionError: JSON nested past Python's stack
        raise FormError("不是有效的 JSON（Camunda 表单）") from None
    if not isinstance(schema, dict) or not isinstance(schema.get("components", []), list):
        raise FormError("不是 Camunda 表单（缺少 components）")
    return schema


def fields(schema: dict) -> tuple[list[dict], list[str]]:
    """(field dicts in engine/dialects.py's shape, warnings in Chinese naming each field)."""
    out: list[dict] = []
    warnings: list[str] = []
    _walk(schema.get("components") or [], out, warnings, [0])
    return out, warnings


MAX_DEPTH = 10  # groups in groups: a form a person fills in nests a few


def _walk(components, out: list[dict], warnings: list[str], count: list[int], depth: int = 0) -> None:
    if not isinstance(components, list):
        return
    if depth > MAX_DEPTH:
        if f"表单分组嵌套超过 {MAX_DEPTH} 层，更深的字段未读取" not in warnings:
            warnings.append(f"表单分组嵌套超过 {MAX_DEPTH} 层，更深的字段未读取")
        return
    for c in components:
        if not isinstance(c, dict):
            continue
        count[0] += 1
        if count[0] > MAX_COMPONENTS:
            said = f"表单组件超过 {MAX_COMPONENTS} 个，其余未读取"
            if said not in warnings:  # once, not again in each enclosing group
                warnings.append(said)
            return
        kind = str(c.get("type") or "")
        if kind in NESTED:
            if kind == "dynamiclist":
                warnings.append(f"{_named(c)}是动态列表，本系统按其中各字段逐一显示（不能增删行）")
            if isinstance(c.get("label"), str) and c["label"].strip():
                out.append({"id": None, "display": c["label"].strip(), "heading": True})
            _walk(c.get("components") or [], out, warnings, count, depth + 1)
            continue
        if kind in SHOWN_ONLY or (kind not in KEYED and not c.get("key")):
            text = _display_text(c) if kind in ("text", "html") else ""
            if text:
                out.append({"id": None, "display": text})
            continue
        field = _field(c, kind, warnings)
        if field is not None:
            out.append(field)


def _named(c: dict) -> str:
    label = str(c.get("label") or "").strip()
    return f"字段「{label}」" if label else f"字段（{c.get('key') or c.get('id') or c.get('type')}）"


_MARKDOWN = re.compile(r"^\s{0,3}(#{1,6}\s*|[-*+]\s+|>\s*)|[*_`]{1,3}")


def _display_text(c: dict) -> str:
    """A text component's markdown as the plain lines a person reads (marks dropped); a text that is
    an expression (``=...``) or a template (``{{...}}``) is not shown: its value is not known here."""
    text = str(c.get("text") or c.get("content") or "")
    if text.lstrip().startswith("=") or "{{" in text:
        return ""
    lines = [_MARKDOWN.sub("", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _field(c: dict, kind: str, warnings: list[str]) -> dict | None:
    key = str(c.get("key") or c.get("path") or "").strip()
    if not key:
        return None
    label = str(c.get("label") or "").strip()
    if not label and kind == "datetime":
        label = str(c.get("dateLabel") or c.get("timeLabel") or "").strip()
    validate = c.get("validate") if isinstance(c.get("validate"), dict) else {}
    readonly = c.get("readonly") is True or c.get("disabled") is True
    f: dict = {"id": key, "label": label, "type": "string", "default": _default(c.get("defaultValue")),
               "required": validate.get("required") is True and not readonly, "readonly": readonly}
    if isinstance(c.get("readonly"), str) and c["readonly"].strip():
        warnings.append(f"{_named(c)}的只读条件「{c['readonly'].strip()}」在本系统中不计算，该字段可以填写")
    if kind == "textarea":
        f["type"] = "textarea"
    elif kind == "number":
        digits = c.get("decimalDigits")
        f["type"] = "long" if digits == 0 or digits == "0" else "double"
        for bound in ("min", "max"):
            if _is_number(validate.get(bound)):
                f[bound] = validate[bound]
    elif kind == "checkbox":
        f["type"] = "boolean"
        if f["default"] is None:
            f["default"] = "false"  # form-js submits an unticked box as false
    elif kind in ("radio", "select", "checklist", "taglist"):
        values = c.get("values")
        if isinstance(values, list) and values:
            f["type"] = "enum"
            f["values"] = [[str(v.get("value")), str(v.get("label") or v.get("value"))] for v in values
                           if isinstance(v, dict) and v.get("value") not in (None, "")]
            if kind in ("checklist", "taglist"):
                f["multiple"] = True
            elif kind == "radio":
                f["radio"] = True  # drawn as round buttons: the page shows them so (webui/drawn_form.py)
        else:
            source = str(c.get("valuesKey") or c.get("valuesExpression") or "").strip()
            path = _values_path(c)
            listed = _values_literal(c) if path is None else None
            if path is not None or listed:
                f["type"] = "enum"
                if path is not None:
                    f["valuesFrom"] = path
                else:
                    f["values"] = listed
                if kind == "radio":
                    f["radio"] = True
            else:
                warnings.append(f"{_named(c)}的选项来自流程数据（{source}），部署时无法得知，办理页面显示为文本框")
            if kind in ("checklist", "taglist"):
                f["multiple"] = True
    elif kind == "datetime":
        subtype = str(c.get("subtype") or "date")
        f["type"] = {"date": "date", "time": "time"}.get(subtype, "datetime")
    elif kind not in ("textfield",):
        if kind == "filepicker":
            f["type"] = "file"  # still a text box here, but a required one left empty asks for the file (model_forms)
        what = COMPONENT_NAMES.get(kind, f"「{kind}」")
        warnings.append(f"{_named(c)}是本系统不支持的表单组件{what}，办理页面显示为文本框")
    if kind in ("textfield", "textarea"):
        for bound in ("minLength", "maxLength"):
            if _is_number(validate.get(bound)):
                f[bound] = int(validate[bound])
    hide = (c.get("conditional") or {}).get("hide") if isinstance(c.get("conditional"), dict) else None
    if isinstance(hide, str) and hide.strip():
        python = _condition(hide.strip())
        if python is None:
            warnings.append(f"{_named(c)}的隐藏条件「{hide.strip()}」无法在本系统中计算，该字段总是显示")
        else:
            f["hide"] = python
    return f


_STRING = re.compile(r'("(?:[^"\\]|\\.)*")')
_BARE_KEY = re.compile(r"([{,]\s*)([^\W\d]\w*)\s*:")
_PATH = re.compile(r"^[^\W\d]\w*(\.[^\W\d]\w*)*$")


def start_form_warnings(fields: list[dict]) -> list[str]:
    """Warnings for a start event's form: a field whose choices come from the case (``valuesFrom``)
    has none to take them from — a start form is filled before the case exists, so it is a text box
    and what is typed is not checked (engine/model_forms.check is given no case data at a start)."""
    return [f"字段「{f.get('label') or f['id']}」的可选项来自案件数据「{f['valuesFrom']}」，但开始表单填写时案件还不存在，"
            "没有这些数据：发起案件时该字段显示为文本框，填写的内容不作检查；请在表单中直接列出选项（静态选项），"
            "或把该字段移到发起后的用户任务中"
            for f in fields if f.get("id") and f.get("valuesFrom") and not f.get("values")]


def _values_path(c: dict) -> str | None:
    """The case variable (or path ``a.b``) a field's choices come from: ``valuesKey``, or a
    ``valuesExpression`` that is only a name or a path; None otherwise."""
    key = c.get("valuesKey")
    if isinstance(key, str) and _PATH.match(key.strip()):
        return key.strip()
    expression = c.get("valuesExpression")
    if isinstance(expression, str):
        text = expression.strip().removeprefix("=").strip()
        if _PATH.match(text) and text not in ("null", "true", "false"):
            return text
    return None


def _values_literal(c: dict) -> list[list[str]] | None:
    """A ``valuesExpression`` that is a FEEL list literal of strings, numbers or {label, value}
    contexts, as [[value, label], ...]; None for anything else (it is not evaluated here)."""
    expression = c.get("valuesExpression")
    if not isinstance(expression, str) or not expression.strip().removeprefix("=").lstrip().startswith("["):
        return None
    text = expression.strip().removeprefix("=").strip()
    if len(text) > 20_000:
        return None
    # FEEL's context keys may be bare names ({label: "甲"}): quoted outside the string literals, the
    # literal is Python's (strings, numbers, lists, dicts), read by ast.literal_eval — never run
    parts = _STRING.split(text)
    text = "".join(part if i % 2 else _BARE_KEY.sub(r'\1"\2":', part) for i, part in enumerate(parts))
    try:
        items = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(items, list):
        return None
    out = []
    for item in items:
        value, label = (item.get("value"), item.get("label")) if isinstance(item, dict) else (item, None)
        if value is None or isinstance(value, (dict, list, bool)):
            return None
        out.append([str(value), str(label) if isinstance(label, (str, int, float)) and label != "" else str(value)])
    return out or None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _default(value):
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _condition(feel: str) -> str | None:
    """Python for a ``conditional.hide`` FEEL expression, or None when it cannot be evaluated here
    (not translated, or not a plain expression the host evaluates by itself)."""
    text = feel if feel.startswith("=") else "=" + feel
    try:
        python = translate(text)
    except Untranslatable:
        return None
    return python if is_plain(python) else None


def embedded_id(form_key: str | None) -> str | None:
    """``UserTaskForm_1`` of ``camunda-forms:bpmn:UserTaskForm_1``; None for any other key."""
    key = (form_key or "").strip()
    return key[len(EMBEDDED_PREFIX):] or None if key.startswith(EMBEDDED_PREFIX) else None


# -- linked forms deployed with the model ---------------------------------------------------------
# Zeebe deploys a model and its .form files together and resolves ``formId`` at run time. Our deploy
# stores one file per version, so the .form files given with the model (REST API ``forms``, ``duban
# deploy model.bpmn form.form``) are embedded into the stored copy as Camunda Modeler embeds a form:
# a ``zeebe:userTaskForm`` on the process, the task's ``formId`` turned into ``formKey=
# "camunda-forms:bpmn:UserTaskForm_<id>"``. The version then holds the forms it was deployed with,
# as a Zeebe deployment does (binding "deployment"); a later .form changes nothing until redeployed.
# A file that embeds a form under the same id already (a version deployed so, its task linked by
# formId again in the designer's form editor) gets the .form given in its place.
FORM_SUFFIX = ".form"
_SAFE_ID = re.compile(r"[^0-9A-Za-z_.-]")


def form_file(filename: str, content: bytes) -> tuple[str, str]:
    """(the form's ``id``, its JSON text) of a ``.form`` file; FormError in Chinese otherwise."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise FormError(f"表单文件「{filename}」须为 UTF-8 编码") from None
    try:
        schema = parse(text)
    except FormError as exc:
        raise FormError(f"表单文件「{filename}」{exc}") from None
    form_id = str(schema.get("id") or "").strip()
    if not form_id:
        raise FormError(f"表单文件「{filename}」没有表单编号（id），请在 Camunda Modeler 中打开并保存后再上传")
    return form_id, text


def link_forms(content: bytes, forms: list[tuple[str, bytes]]) -> bytes:
    """The model file with the ``.form`` files ``forms`` ((file name, content), given with it) embedded
    where its tasks and start events link them by ``formId``; FormError naming a form file that is not
    one, or that nothing in the model links (a form given by mistake is said, not dropped)."""
    from lxml import etree

    from .dialects import BPMN_NS, ZEEBE_NS

    by_id: dict[str, tuple[str, str]] = {}
    for filename, raw in forms:
        form_id, text = form_file(filename, raw)
        by_id[form_id] = (filename, text)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        return content  # the deploy refuses the file itself, in its own words
    used: set[str] = set()
    for definition in root.iter(f"{{{ZEEBE_NS}}}formDefinition"):
        form_id = (definition.get("formId") or "").strip()
        if form_id not in by_id:
            continue
        process = next((a for a in definition.iterancestors(f"{{{BPMN_NS}}}process")), None)
        if process is None:
            continue
        form_key = "UserTaskForm_" + _SAFE_ID.sub("_", form_id)
        ext = process.find(f"{{{BPMN_NS}}}extensionElements")
        if ext is None:
            ext = etree.Element(f"{{{BPMN_NS}}}extensionElements")
            doc = process.find(f"{{{BPMN_NS}}}documentation")
            process.insert(process.index(doc) + 1 if doc is not None else 0, ext)
        embedded = next((f for f in ext.iterfind(f"{{{ZEEBE_NS}}}userTaskForm") if f.get("id") == form_key), None)
        if embedded is None:
            embedded = etree.SubElement(ext, f"{{{ZEEBE_NS}}}userTaskForm")
            embedded.set("id", form_key)
        embedded.text = by_id[form_id][1]  # the .form given wins over one the file embedded before under its id
        del definition.attrib["formId"]
        for attr in ("bindingType", "versionTag"):
            definition.attrib.pop(attr, None)
        definition.set("formKey", EMBEDDED_PREFIX + form_key)
        used.add(form_id)
    unused = [f"「{filename}」（表单编号「{form_id}」）" for form_id, (filename, _t) in by_id.items() if form_id not in used]
    if unused:
        raise FormError(f"表单文件{'、'.join(unused)}未被模型中的任何用户任务或开始事件引用（zeebe:formDefinition formId）；"
                        "请检查表单编号，或不要上传该文件")
    if not used:
        return content
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
