"""Chinese words for the engine's codes (状态、操作), so templates never show raw identifiers.

Codes the engine does not know in advance — roles, org units, process keys — come from the
directory and the model store instead (see ``webui.display``).
"""
from __future__ import annotations

import ast
import re

from engine import incident_words
from engine.dialects import KIND_NAMES
from engine.errors import EngineError, IncidentRaised, InvalidModel

CASE_STATUS = {"running": "办理中", "completed": "已办结", "cancelled": "已撤销"}
TASK_STATE = {"open": "待办", "completed": "已办", "cancelled": "已取消"}

AUDIT_ACTION = {
    "started": "发起",
    "task_opened": "生成待办",
    "claimed": "认领",
    "released": "退回组待办",
    "completed": "办理",
    "task_cancelled": "待办取消",
    "reminded": "到期提醒",
    "escalated": "逾期升级",
    "timer_fired": "定时触发",
    "incident": "异常",
    "incident_resolved": "异常已处理",
    "case_completed": "办结",
    "cancelled": "撤销",
    "reassigned": "转办",
    "delegated": "委托",
    "resolved": "委托办毕",
    "priority_set": "调整优先级",
    "follow_up_set": "设置跟进日期",
    "case_spawned": "派生案件",
    "script_output": "流程记录",  # a model script's print (engine/case_log.py): its text beside it
    "message_received": "收到消息",
    "signal_received": "收到信号",
    "message_thrown": "发出消息",
    "signal_thrown": "发出信号",
    "escalation_not_caught": "发出升级事件（流程中无处接收，案件照常继续）",
    "audit_verify_started": "开始审计链校验",  # 系统管理 › 审计链校验 (webui/admin_audit.py)
    "audit_verified": "完成审计链校验",
}

INCIDENT_ACTION = {"complete": "提交任务", "timer": "定时器", "start": "发起案件"}

ESCALATION = {0: "未升级", 1: "一级督办", 2: "二级督办", 3: "三级督办"}


def escalation(level: int | None) -> str:
    level = int(level or 0)
    return ESCALATION.get(level, f"{level}级督办")


def case_status(code: str | None) -> str:
    return CASE_STATUS.get(code or "", code or "")


def task_state(code: str | None) -> str:
    return TASK_STATE.get(code or "", code or "")


def incident_action(code: str | None) -> str:
    return INCIDENT_ACTION.get(code or "", code or "")


def audit_action(code: str | None) -> str:
    return AUDIT_ACTION.get(code or "", code or "")


# An incident's error text (a Python exception from model code, or SpiffWorkflow's) read for a
# person: which step failed, by its name in the model, and what went wrong in Chinese, naming a
# missing value by its label — never a variable name; the raw text stays available to
# administrators behind a toggle.
_MISSING = r"name '([^']+)' is not defined|KeyError: '?([^'\s]+)'?|has no attribute '([^']+)'"
_INCIDENT_PATTERNS = [
    (r"division by zero|ZeroDivisionError", "计算时除数为零，请检查提交的数值"),
    (r"unsupported operand|TypeError|not supported between|can only concatenate",
     "计算时数据类型不符（如文字与数字相加），请检查提交的数值"),
    (r"could not convert|invalid literal|ValueError|[Ii]nvalid isoformat", "无法把提交的内容读成数值或日期，请检查格式"),
    (r"[Tt]imer|timeDate|timeDuration|timeCycle|ISO ?8601|duration", "定时器的时间表达式无法计算，请检查模型中的期限设置"),
    (r"DMN|[Dd]ecision table|[Nn]o rule|hit policy", "决策表没有匹配的规则，请检查提交的数据或决策表"),
    (r"ScriptDataTooLarge|脚本写入的数据过大", "流程脚本在一步之内写入案件的数据过大（超过 8,000,000 个字符），已停止执行，案件保持原状；"
     "请流程设计员检查脚本是否在循环中生成大段文字或长列表"),
    (r"[Tt]ime ?limit|timed out|[Tt]imeout|ScriptTimeout|运行超过", "流程脚本运行超时，已被终止"),
    (r"资源限制|内存|MemoryError|RecursionError", "流程脚本超出资源限制（CPU 时间或内存），已被终止"),
    (r"[Cc]ondition|gateway|[Nn]o outgoing|default flow", "网关没有可走的分支：条件都不成立，请检查提交的数据或网关条件"),
    (r"[Aa]ssignee|candidate|无法确定办理人|lane", "无法确定办理人：请检查指定的人员或岗位"),
    (r"[Ss]ervice|connector|unknown operator|LookupEnterprise|企业不存在", "调用外部服务失败，请检查服务设置或提交的数据"),
    (r"Forbidden|not allowed|RestrictedPython|is an invalid attribute|不允许", "流程脚本使用了不允许的操作，请流程设计员修改模型"),
    (r"SyntaxError|invalid syntax", "流程脚本有语法错误，请流程设计员修改模型"),
]


# The engine's limits on model code, said before SpiffWorkflow's 「Error evaluating expression」 (read as
# a condition's missing data below) when an expression, not a script, met them.
_LIMIT_PATTERNS = [
    (r"ExpressionResultTooLarge|表达式的结果过大", "表达式在一步之内得出的数据过大（超过 8,000,000 个字符），已停止执行，案件保持原状；"
     "请流程设计员检查表达式（如多实例集合、决策表结果）是否生成大段文字或长列表"),
    (r"WorkerInputTooLarge|发送给脚本执行进程的数据过大", "流程脚本要读取的数据过大（超过 32 MB），已停止执行，案件保持原状；"
     "请流程设计员检查脚本读取的变量或调用的函数是否含有大段文字或长列表"),
]


# The engine names the step (a timer's as 「逾期10日」的定时器出错); so does ``where``.
_STEP_PREFIX = re.compile(r"^「([^」]*)」(的定时器)?出错[:：]\s*")
_ELEMENT_ID = re.compile(r"」\s*\([\w.:-]*[A-Za-z_][\w.:-]*\)\s*")  # 并行网关「汇总」(join) -> 并行网关「汇总」
_KINDS = "(" + "|".join(sorted(set(KIND_NAMES.values()) | {"元素"}, key=len, reverse=True)) + ")"
# 并行网关 Gateway_0x3: an element drawn without a name, as engine/stall.py names it.
_UNNAMED = re.compile(_KINDS + r" ([A-Za-z_][\w.:-]*)")
# 未命名并行网关 (Gateway_0x3) as engine/dialects.label does; 服务任务(Activity_0x3) as service_tasks.py does.
_UNNAMED_LABEL = re.compile("(?:未命名)?" + _KINDS + r"\s*\([\w.:-]*[A-Za-z_][\w.:-]*\)\s*")
_DATA_KEY = re.compile(r"(集合|变量|数据项?)「([A-Za-z_][\w.]*)」")  # 集合「approvers」: by its label, or unnamed
_EXPRESSION = re.compile(r"Error evaluating expression '([^']*)'")
# engine/incidents.py: 决策表「企业分级」的输入「从业人数」（employees）在案件数据中没有值 (the label may be absent)
_DECISION_INPUT = re.compile(r"(决策表(?:「[^」]*」)?)的输入(?:「([^」]*)」)?（([^）]*)）在案件数据中没有值")
# engine/incidents.py: 办理人取自案件数据「applicant」，它在案件中没有值 (a task's assignee/candidates/dates)
# engine/incidents.py: 条件把案件数据「days」当作数字比较，但它的值「五天」不是数字 (JUEL's number coercion)
# engine/incidents.py: 条件把案件数据「days」当作数字比较，但它的值「五天」不是数字 (与整数比较…不是整数; an
# output mapping's 表达式…当作数字计算); engine/juel_operators.py: JUEL 表达式把「quorum」的值「二」与整数比较
_NOT_A_NUMBER = re.compile(r"(条件|表达式)把案件数据「([^」]*)」(与整数比较|当作数字比较|当作数字计算)，但它的值「([^」]*)」不是")
_EL_NOT_A_NUMBER = re.compile(r"JUEL 表达式把(?:「([^」]*)」的)?值「([^」]*)」(与整数比较|当作数字比较)")
_TASK_INPUT = re.compile(r"(办理人|候选办理人|候选组|办理期限|跟进日期)取自案件数据「([^」]*)」，它在案件中没有值")
# engine/incidents.py: 办理人取自案件数据「point」的「inspector」，但「point」的值「zhang」不是含「inspector」的数据项 (a
# 会签 item that is no map, or lacks the entry): the data by its label, neither the entry's key nor the value (a user name)
_TASK_ENTRY = re.compile(r"(办理人|候选办理人|候选组|办理期限|跟进日期)取自案件数据「([^」]*)」的「[^」]*」，但")
# engine/incidents.py: 会签人数取自案件数据「nrOfLoops」，但案件中没有这个值 (a multi-instance task's count,
# its completion condition, a loop's condition)
_LOOP_INPUT = re.compile(r"(会签人数|循环次数|完成条件|循环条件)(?:取自|用到)案件数据「([^」]*)」，但案件中没有这个值")
# engine/incidents.py: 完成条件把案件数据「needed」当作数字，但它的值「二」是文字
_LOOP_TEXT = re.compile(r"(会签人数|循环次数|完成条件|循环条件)把案件数据「([^」]*)」当作数字，但它的值「([^」]*)」是文字")
# engine/feel_lists.py, engine/feel_collections.py, engine/restricted.bounded_range: a range or a list the
# model's code made that is too long (表达式的范围「1..100000」太长：有 100,000 个数，超过上限 10,000 个；…), said
# before the English that carried it (「Error evaluating expression …」 read as 条件无法计算; 「ValueError」 as
# 无法把提交的内容读成数值或日期)
_TOO_LONG = re.compile(r"((?:表达式的范围「[^」]*」|函数「[^」]*」得到的列表|脚本生成的数列)太长：[^—]*?请流程设计员修改模型)")
_RULE_TASK = re.compile(r"Business Rule Task '([^']+)'")  # SpiffWorkflow's text after a decision table's rule failed
_RULE_TASK_NOTE = re.compile(r"\.?\s*Business Rule Task '[^']+'\.?\s*$")
# engine/external_tasks.py: 外部任务失败：发送整改通知短信（sms）：号码为空 — the worker's own reason last.
_EXTERNAL = re.compile(r"^外部任务失败：.*?（[^）]*）：(.*)$", re.S)
_LATIN_WORD = re.compile(r"[A-Za-z_]{3,}")
# engine/gateways.py: 排他网关「复查通过？」(Gateway_0passed) 通往「结案」的连线：案件数据「passed」的值是文字「是」，
# 不是“是/否”，无法判断走不走这条分支（Camunda、Flowable 同样停在这里）；请…（如 passed == "同意"）: the vendor and
# the condition to write are for the designer (the incident's raw message keeps them)
# (engine/juel_operators.as_boolean: …，不是“是/否”，无法判断是或否, a number inside && or !)
_FLOW = re.compile(r"^(.*?的连线)：")
_NOT_YES_OR_NO = re.compile(r"^(.*?的连线)：(?:案件数据「([^」]*)」|条件「.*?」)(.*?)，不是“是/否”，无法判断")
# A host function's own Chinese refusal wrapped by the script's error chain (engine/scripting.py):
# "ModelCodeError:HostFunctionError: TypeError: 工作日天数须为整数（如 10），而不是「１０」 (第 1 行). "
_ERROR_CHAIN = re.compile(r"^(?:(?:[A-Z]\w*(?:Error|Exception)|NotSerializable)\s*:\s*)+")  # engine/restricted.NotSerializable too
_SCRIPT_LINE = re.compile(r"\s*\(第 (\d+) 行\)\.?\s*$")
_WRAPPED_STOP = re.compile(r"(?<=[^\x00-\x7f])\.\s*$")


def engine_message(message: str, names: dict | None = None) -> str | None:
    """The engine's own Chinese message (流程停滞、多实例任务的集合、任务的期限…) as a person reads it:
    no element ids in brackets, a case-data key by its label (or not at all); names and values in
    「」 as they are. None when the message
    is not the engine's Chinese (a Python or SpiffWorkflow error in English)."""
    text = without_element_ids(_STEP_PREFIX.sub("", " ".join(message.split())))  # a name drawn on two lines
    text = _RULE_TASK_NOTE.sub("", text)  # SpiffWorkflow's note after an error of ours in a decision table
    text = _DATA_KEY.sub(lambda m: m.group(1) + (f"「{names[m.group(2)]}」" if (names or {}).get(m.group(2)) else ""),
                         text)
    outside_quotes = re.sub(r"「[^」]*」", "", text)  # names drawn in the model and values as typed stay as they are
    if not re.search(r"[\u4e00-\u9fff]", outside_quotes) or _LATIN_WORD.search(outside_quotes):
        return None
    return text


def without_element_ids(message: str) -> str:
    """An engine message naming elements by name, else by kind, never by id: 并行网关「汇总」(join) ->
    并行网关「汇总」; 并行网关 Gateway_0x3, 未命名并行网关 (Gateway_0x3) and 服务任务(Activity_1) -> 未命名的…."""
    text = _UNNAMED_LABEL.sub(lambda m: f"未命名的{m.group(1)}", message)
    text = _ELEMENT_ID.sub("」", text)
    return _UNNAMED.sub(lambda m: f"未命名的{m.group(1)}", text)


def model_refusal(exc: InvalidModel) -> str:
    """Why a model file was not deployed, for an API client or an administrator: the file, the line
    and the first error, its element by name ("模型校验未通过：a.bpmn 第 11 行：用户任务「复查」没有连线……")."""
    where = "".join(p for p in (exc.filename, f" 第 {exc.line} 行" if exc.line else "") if p).strip()
    return f"模型校验未通过：{where + '：' if where else ''}{without_element_ids(exc.message)}"


def incident_refusal(exc: IncidentRaised, names: dict | None = None) -> str:
    """A step that failed and became an incident, said as the incident page says it."""
    return (f"流程执行出错，已记录为异常事件 #{exc.incident_id}，负责人处理后可重试："
            + incident_explanation(exc.message, names=names))


def refusal(exc: EngineError, names: dict | None = None) -> str:
    """Any engine error in Chinese, elements by name: a refused model, a step that became an
    incident (``names``: labels of the case's data), or the engine's own message."""
    if isinstance(exc, InvalidModel):
        return model_refusal(exc)
    if isinstance(exc, IncidentRaised):
        return incident_refusal(exc, names)
    return without_element_ids(str(exc))


def incident_explanation(message: str | None, step: str | None = None, names: dict | None = None) -> str:
    """``message`` in Chinese: "环节“计算每日罚款”出错：流程脚本需要的“罚款总额”没有值……". ``step`` is
    the failed element's name (else the name the engine put before 出错); ``names`` gives labels of
    case-data keys (a key without one is not shown: a variable name means nothing to the person reading)."""
    text = message or ""
    if step is None:
        step = failed_step(text)
    where = f"环节“{step}”出错：" if step else ""
    too_long = _TOO_LONG.search(" ".join(text.split()))
    if too_long:
        return where + too_long.group(1)
    decision_input = _DECISION_INPUT.search(text)
    if decision_input:  # engine/incidents.py: the label is shown, the variable (for the designer) is not
        label = decision_input.group(2) or (names or {}).get(decision_input.group(3))
        what = f"「{label}」" if label else "中的一项"
        return where + f"{decision_input.group(1)}的输入{what}在案件数据中没有值；请在此前的环节填写它，或在决策表中为它设置默认值"
    not_a_number = _NOT_A_NUMBER.search(text)
    el_not_a_number = None if not_a_number else _EL_NOT_A_NUMBER.search(text)
    if not_a_number or el_not_a_number:  # the label is shown, the variable is not; the text as typed is
        if not_a_number:
            subject, key, verb, value = not_a_number.groups()
        else:
            key, value, verb = el_not_a_number.groups()
            subject = "表达式"
        label = (names or {}).get(key) if key else None
        what = f"“{label}”" if label else "中的一项"
        kind = "整数" if verb == "与整数比较" else "数字"
        flow = None if where else _FLOW.match(without_element_ids(" ".join(text.split())))
        if flow:  # a gateway's flow said it (engine/gateways._holds): 排他网关「延期天数」通往「…」的连线：
            where = flow.group(1) + "："
        return where + (f"{subject}把案件数据{what}{verb}，但填写的「{value}」不是{kind}；"
                        f"请改为{kind}后重试，或请流程设计员把该表单字段设为数字类型")
    task_entry = _TASK_ENTRY.search(text)
    if task_entry:
        label = (names or {}).get(task_entry.group(2))
        what = f"“{label}”" if label else "中的一项"
        return where + (f"{task_entry.group(1)}取自案件数据{what}，但它不含所需的内容（如会签名单的每一项都应写明办理人）；"
                        f"请检查提交的数据后重试，或请流程设计员修改该任务的{task_entry.group(1)}")
    task_input = _TASK_INPUT.search(text)
    if task_input:  # engine/incidents.py: the label is shown, the variable (for the designer) is not
        label = (names or {}).get(task_input.group(2))
        what = f"“{label}”，它" if label else "中的一项，该项"
        return where + (f"{task_input.group(1)}取自案件数据{what}在案件中没有值；请补充数据后重试，"
                        f"或请流程设计员把该任务的{task_input.group(1)}改为"
                        f"{'固定的期限' if task_input.group(1) in ('办理期限', '跟进日期') else '固定的人员或角色'}")
    loop_input = _LOOP_INPUT.search(text)
    if loop_input:  # engine/incidents.py: the label is shown, the variable (for the designer) is not
        label = (names or {}).get(loop_input.group(2))
        verb = "取自" if loop_input.group(1) in ("会签人数", "循环次数") else "用到"
        what = f"“{label}”" if label else "中的一项"
        return where + (f"{loop_input.group(1)}{verb}案件数据{what}，但案件中没有这个值；请补充数据后重试，"
                        f"或请流程设计员修改该任务的{loop_input.group(1)}")
    loop_text = _LOOP_TEXT.search(text)
    if loop_text:  # the label is shown, the variable is not; the text as typed is
        label = (names or {}).get(loop_text.group(2))
        what = f"“{label}”" if label else "中的一项"
        return where + (f"{loop_text.group(1)}把案件数据{what}当作数字，但填写的「{loop_text.group(3)}」是文字；"
                        "请改为数字后重试，或请流程设计员把该表单字段设为数字类型")
    not_yes_or_no = _NOT_YES_OR_NO.search(without_element_ids(" ".join(text.split())))
    if not_yes_or_no:  # the label is shown, the variable is not; the value as typed is
        flow, key, value = not_yes_or_no.groups()
        label = (names or {}).get(key) if key else None
        what = (f"案件数据“{label}”" if label else "案件数据中的一项") if key else "这条连线的条件"
        return where + (f"{flow}：{what}{value}，不是“是/否”，无法判断走不走这条分支；请把该数据改为是或否后重试，"
                        "或请流程设计员修改这条连线的条件")
    own = engine_message(text, names)
    if own is not None:
        return own if step and f"「{' '.join(step.split())}」" in own else where + own
    wrapped = _wrapped_reason(text, names)
    if wrapped is not None:
        return where + wrapped
    external = _EXTERNAL.match(" ".join(text.split()))
    if external:
        reason = external.group(1).strip()
        said = f"：{reason}" if re.search(r"[\u4e00-\u9fff]", reason) and not _LATIN_WORD.search(reason) else \
            "，请管理员查看外部系统的错误详情后处理"
        return where + "外部系统办理失败" + said
    for pattern, explanation in _LIMIT_PATTERNS:
        if re.search(pattern, text):
            return where + explanation
    expression = _EXPRESSION.search(text)
    if expression:
        used = [names[k] for k in dict.fromkeys(re.findall(r"[A-Za-z_]\w*", expression.group(1))) if (names or {}).get(k)]
        what = f"（{'、'.join(f'“{u}”' for u in used)}）" if used else ""
        if at_timer(text):
            return where + (f"定时器的期限无法计算：用到的数据{what}在案件中没有值；请补充数据后重试，"
                            "或请流程设计员检查模型中的期限设置")
        return where + (f"条件无法计算：条件用到的数据{what}在案件中没有值；请补充数据后重试，"
                        "或请流程设计员检查模型中的条件")
    missing = re.search(_MISSING, text)
    if missing:
        key = next(g for g in missing.groups() if g)
        label = (names or {}).get(key)
        what = f"“{label}”" if label else "的一项数据"
        return where + f"流程脚本需要{what}，但前面的环节没有填写或没有算出；请补充数据后重试"
    plain = _plain_cause(text, names)
    if plain is not None:
        return where + plain
    for pattern, explanation in _INCIDENT_PATTERNS:
        if re.search(pattern, text):
            return where + explanation
    return where + "流程执行出错（脚本、规则或定时器），请管理员查看错误详情后处理"


def _plain_cause(text: str, names: dict | None) -> str | None:
    """The Chinese sentence engine/incident_words.py put before a Python error's technical text
    (「脚本要取的数据项「name」不存在；请补填数据后重试…」), a case-data key by its label or not at all;
    None when the text has none."""
    lead = _STEP_PREFIX.sub("", " ".join(text.split())).split(" — ", 1)[0]
    if not lead.endswith(incident_words.ENDINGS):
        return None
    lead = re.sub(r"（也许应为「[^」]*」）", "", lead)  # the name meant is for the designer (技术详情 keeps it)
    lead = re.sub(r"(数据项?)「([^」]*)」",
                  lambda m: m.group(1) + (f"“{names[m.group(2)]}”" if (names or {}).get(m.group(2)) else ""), lead)
    return engine_message(lead, names)


def _wrapped_reason(text: str, names: dict | None) -> str | None:
    """The Chinese reason a host function (工作日计算、日期换算…) gave, under the English names of the
    errors that carried it out of the script, with the script's line said in Chinese; None when the
    innermost message is not Chinese (a Python error: the patterns explain it)."""
    body = _STEP_PREFIX.sub("", " ".join(text.split()))
    chain = _ERROR_CHAIN.match(body)
    if chain is None and " — " in body:  # the engine's words, then the chain that carried them (a FEEL function's)
        body = body.split(" — ", 1)[1]
        chain = _ERROR_CHAIN.match(body)
    if chain is None:
        return None
    inner = body[chain.end():]
    line = _SCRIPT_LINE.search(inner)
    # SpiffWorkflow's ". " after the error of a script task (「…日期和时间）. 」) is no Chinese sentence's end
    reason = engine_message(_WRAPPED_STOP.sub("", _SCRIPT_LINE.sub("", inner)), names)
    if reason is None:
        return None
    return reason + (f"（脚本第 {line.group(1)} 行）" if line else "")


def failed_step(message: str | None) -> str | None:
    """The name of the element the engine put before 出错 (「计算每日罚款」出错: …), or the decision
    task SpiffWorkflow names after a rule that failed; None when there is none, or only an id."""
    named = _STEP_PREFIX.match(message or "") or _RULE_TASK.search(message or "")
    return " ".join(named.group(1).split()) if named and not named.group(1).isascii() else None


def at_timer(message: str | None) -> bool:
    """Did a timer's expression fail (the engine's 「逾期10日」的定时器出错: …)?"""
    named = _STEP_PREFIX.match(message or "")
    return bool(named and named.group(2))


def missing_keys(message: str | None) -> list[str]:
    """The case-data keys an incident's error says are missing, and those a condition that could not
    be evaluated reads (to offer them in the retry form; the caller leaves out those the case has)."""
    text = message or ""
    keys = [next(g for g in m.groups() if g) for m in re.finditer(_MISSING, text)]
    return list(dict.fromkeys(keys + [k for e in failed_expressions(text) for k in names_read(e)]))


def failed_expressions(message: str | None) -> list[str]:
    """The condition an incident says could not be evaluated (SpiffWorkflow's 「Error evaluating
    expression '…'」), if any."""
    return [m.group(1) for m in _EXPRESSION.finditer(message or "")]


def names_read(expression: str) -> dict[str, bool]:
    """The variables a Python condition reads (not the functions it calls, nor attributes or
    constants), each True when it is read as 是/否: compared with True or False, or a condition
    (or an operand of and/or/not) on its own (``passed``, ``refused == True``)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return {}
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    truth = {id(tree.body)}
    for n in ast.walk(tree):
        if isinstance(n, ast.BoolOp):
            truth.update(id(v) for v in n.values)
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            truth.add(id(n.operand))
        elif isinstance(n, ast.Compare):
            sides = [n.left, *n.comparators]
            if any(isinstance(x, ast.Constant) and isinstance(x.value, bool) for x in sides):
                truth.update(id(x) for x in sides)
    found: dict[str, bool] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in called:
            found[n.id] = found.get(n.id, False) or id(n) in truth
    return found
