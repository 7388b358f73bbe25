"""The script environment (脚本环境) for BPMN scripts, conditions and timer expressions.

Scripts see the task's data plus a small set of functions: the engine clock (``now``), working-day
arithmetic on the Chinese calendar, ``start_case`` to start another process after this step, and
whatever domain functions the ``workflows`` layer registers. Builtins are a short allow-list: no
``__import__``, no ``open``; code is compiled by RestrictedPython and anything but a plain comparison
runs in an isolated worker process under time and memory bounds (engine/sandbox.py).
"""
from __future__ import annotations

import contextvars
import datetime as _dt
import decimal
import math
from typing import Any, Callable

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from . import workdays
from .timeexpr import parse_datetime
from .evaluator import IsolatedEnvironment, end_step_write_budget, host_safe, step_write_budget
from .restricted import STANDARD_GLOBALS
from .expressions import JUEL_HELPER
from . import el_text, feel_collections, feel_functions, feel_lists, flowable_types, flowable_vars
from .juel_methods import juel_call
from .juel_operators import ARITHMETIC_HELPER as EL_ARITHMETIC
from .juel_operators import COERCE_HELPER as EL_COERCE
from .juel_operators import HELPER as EL_COMPARE
from .juel_operators import INDEX_HELPER as EL_INDEX
from .juel_operators import STORED_HELPER as EL_STORED
from .juel_operators import arithmetic as el_arithmetic
from .juel_operators import coerce as el_coerce
from .juel_operators import compare as el_compare
from .juel_operators import index as el_index
from .juel_operators import stored as el_stored
from .external_task_context import with_external_task
from .loop_counter import with_loop_counter
from .timers import fired_this_step

# Requests made by scripts during the current step (start_case...); the engine drains them.
_step_requests: contextvars.ContextVar[list | None] = contextvars.ContextVar("duban_step_requests", default=None)


def _as_moment(value):
    if isinstance(value, str):
        return parse_datetime(value)
    if isinstance(value, _dt.datetime) and value.tzinfo is None:
        return parse_datetime(value.isoformat())
    return value


def _iso(value):
    return value.isoformat() if isinstance(value, (_dt.date, _dt.datetime)) else value


class StepRequests:
    """Collects what scripts ask the engine to do once the step is done."""

    def __enter__(self):
        self.items: list[tuple[str, dict]] = []
        self._token = _step_requests.set(self.items)
        self._fired_token = fired_this_step.set(set())
        self._written_token = step_write_budget()  # what its scripts may write (engine/evaluator.py)
        return self

    def __exit__(self, *exc):
        _step_requests.reset(self._token)
        fired_this_step.reset(self._fired_token)
        end_step_write_budget(self._written_token)
        return False


_UNSET = object()

# The task whose script or expression is being evaluated (for case_value).
_current_task: contextvars.ContextVar = contextvars.ContextVar("duban_current_task", default=None)


def case_value(name: str, default: Any = None) -> Any:
    """The value of ``name`` in the case as it stands now, whichever branch set it.

    Parallel branches each carry their own copy of the case data (SpiffWorkflow copies data into a
    branch when it starts), so a branch waiting on a timer does not see what another branch did
    meanwhile. ``case_value('decided_at')`` looks at the evaluating task and then at every open or
    waiting task of the case and returns the first value set (not None, not empty).
    """
    from SpiffWorkflow.util.task import TaskState

    task = _current_task.get()
    if task is None:
        raise RuntimeError("case_value can only be called while the engine evaluates model code")
    value = task.data.get(name)
    if value not in (None, ""):
        return value
    top = task.workflow.top_workflow
    for workflow in [top, *getattr(top, "subprocesses", {}).values()]:
        for other in workflow.tasks.values():
            if other.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED):
                value = other.data.get(name)
                if value not in (None, ""):
                    return value
    return default


def start_case(process_key: str, data: dict | None = None, *, party=_UNSET, title: str = "",
               org: str | None = None, **more) -> str:
    """Ask the engine to start ``process_key`` once this step is done, in the same transaction.

    The new case belongs to the same org unit and enterprise (party) as this one unless ``org`` or
    ``party`` say otherwise (``party=None`` for a case against an individual).
    """
    items = _step_requests.get()
    if items is None:
        raise RuntimeError("start_case can only be called while the engine runs a step")
    request = {"process_key": process_key, "data": dict(data or {}, **more), "title": title, "org": org}
    if party is not _UNSET:
        request["party"] = party
    task = _current_task.get()  # the element that asked, for an incident naming it (engine/step.py)
    if task is not None:
        spec = task.task_spec
        request["element"] = f"「{spec.bpmn_name or spec.name}」"
    items.append(("start_case", request))
    return process_key


def require_roles(usernames, roles, message: str, field: str | None = None) -> bool:
    """Ask the engine to refuse this step unless every user in ``usernames`` holds one of ``roles``
    (codes) in the case's own org unit, e.g. 集体讨论 by the bureau's 负责人 only. The step rolls
    back and the user sees ``message`` with the names at fault, against ``field`` of the form."""
    items = _step_requests.get()
    if items is None:
        raise RuntimeError("require_roles can only be called while the engine runs a step")
    names = [usernames] if isinstance(usernames, str) else list(usernames or [])
    roles = [roles] if isinstance(roles, str) else list(roles or [])
    items.append(("require_roles", {"users": [str(u) for u in names], "roles": [str(r) for r in roles],
                                    "message": str(message), "field": field}))
    return True


class DubanScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's Python script engine with our globals and the engine's clock."""

    def __init__(self, clock, functions: dict[str, Callable] | None = None, time_limit: float = 1.0):
        self.clock = clock
        env_globals: dict[str, Any] = {
            "datetime": _dt.datetime, "date": _dt.date, "timedelta": _dt.timedelta,
            "Decimal": decimal.Decimal, "math": STANDARD_GLOBALS["math"],  # names no file of the host
            # the clock and date arithmetic: pure, model code run in the host may call them (host_safe)
            "now": host_safe(lambda: clock.now()),
            "today": host_safe(lambda: feel_functions.today_text(clock)),
            "workdays_after": host_safe(lambda start, n: _iso(workdays.workdays_after(_as_moment(start), n))),
            "workdays_before": host_safe(lambda end, n: _iso(workdays.workdays_before(_as_moment(end), n))),
            "workdays_between": host_safe(lambda a, b: workdays.workdays_between(_as_moment(a), _as_moment(b))),
            "days_after": host_safe(lambda start, n: _iso(_as_moment(start) + _dt.timedelta(days=n))),
            "parse_datetime": host_safe(parse_datetime),
            JUEL_HELPER: juel_call,  # a JUEL model's flag.equals('驳回') (engine/juel_methods.py)
            EL_COMPARE: el_compare,  # a JUEL ${amount > limit} (engine/juel_operators.py)
            EL_COERCE: el_coerce, EL_ARITHMETIC: el_arithmetic,  # JUEL's text, yes/no, / and % as EL reads them
            EL_INDEX: el_index,  # a JUEL ${orders[1].price}, ${form['amount']} (EL's [] operator)
            EL_STORED: el_stored,  # a JUEL mapping's ${a / b} by zero: stops naming the mapping
            feel_lists.LIST: feel_lists.feel_list, feel_lists.FIELD: feel_lists.feel_field,  # FEEL filters
            feel_lists.ITEM: feel_lists.feel_item,  # FEEL's opinions[1], opinions[-1]
            feel_lists.RANGE: feel_lists.feel_range,  # FEEL's for i in 1..3
            feel_lists.GET: feel_lists.feel_get,  # FEEL's order.customer.name
            **feel_functions.FUNCTIONS,  # FEEL's sum, min, max, substring, date(x) over case data
            **feel_collections.FUNCTIONS,  # FEEL's string join, distinct values, context put... over case data
            # FEEL's now() and today() on the engine's clock, not the host's
            feel_functions.NOW: host_safe(lambda: feel_functions.now_text(clock)),
            feel_functions.TODAY: host_safe(lambda: feel_functions.today_text(clock)),
            flowable_types.HELPER: flowable_types.as_type,  # Flowable 7's targetType on a call activity's in/out
            flowable_vars.HELPER: flowable_vars.call,  # Flowable's ${vars:equals(decision, 'goUp')}
            el_text.TEXT: el_text.el_text,  # a composite EL text's ${...} as text: kermit_${loopCounter}
            "start_case": start_case,
            "require_roles": require_roles,
            "case_value": case_value,
        }
        self.functions = dict(functions or {})
        env_globals.update(self.functions)
        # Every script, condition and expression: restricted compile, then isolated (engine/sandbox.py).
        super().__init__(environment=IsolatedEnvironment(env_globals, seconds=time_limit))

    def evaluate(self, task, expression, external_context=None):
        token = _current_task.set(task)
        try:
            return super().evaluate(task, expression, with_external_task(
                expression, with_loop_counter(task, expression, external_context), task.data))
        finally:
            _current_task.reset(token)

    def execute(self, task, script, external_context=None):
        token = _current_task.set(task)
        try:
            return super().execute(task, script, with_loop_counter(task, script, external_context))
        finally:
            _current_task.reset(token)

    def now(self):
        return self.clock.now()
