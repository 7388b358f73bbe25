"""Gateways (网关) whose conditions all fail, said in Chinese naming the gateway.

A condition that is null (a FEEL condition over a value a form left empty, engine/feel_null.py) is
not true; when no condition of an exclusive or inclusive gateway holds and it has no default flow,
the case cannot go on. SpiffWorkflow says so in English ("No conditions satisfied for
Gateway_0x3"); ours say which gateway, why, and what to do, and the incident keeps the case where
it was so that a retry with the missing value goes on. Same class names as SpiffWorkflow's, so
stored specs restore to these (engine/parser.py's serializer configuration).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs import defaults
from SpiffWorkflow.exceptions import WorkflowException


class NoPathOut(WorkflowException):
    """No outgoing flow of a gateway may be taken (an incident naming the gateway)."""

    def __str__(self):  # SpiffWorkflow's joins notes with ". ", English punctuation after a Chinese sentence
        return "；".join([str(self.args[0]), *self.notes])


def _no_path(spec) -> NoPathOut:
    kind = "排他网关" if isinstance(spec, ExclusiveGateway) else "包容网关"
    name = spec.bpmn_name or spec.bpmn_id
    return NoPathOut(f"{kind}「{name}」({spec.bpmn_id}) 的条件都不成立（条件用到的数据没有值时也不成立），"
                     "又没有默认分支，流程无法继续；请补充案件数据后重试，或请流程设计员为该网关设置默认分支",
                     task_spec=spec)


class ExclusiveGateway(defaults.ExclusiveGateway):
    """SpiffWorkflow's exclusive gateway (排他网关), refusing in Chinese when no flow may be taken."""

    def _run_hook(self, my_task):
        try:
            return super()._run_hook(my_task)
        except WorkflowException as exc:
            # SpiffWorkflow raises exactly WorkflowException when no condition holds and there is no
            # default; a condition that fails to evaluate is a WorkflowTaskException, kept as it is.
            if type(exc) is WorkflowException and self.default_task_spec is None:
                raise _no_path(self) from exc
            raise


class InclusiveGateway(defaults.InclusiveGateway):
    """SpiffWorkflow's inclusive gateway (包容网关), refusing in Chinese when no flow may be taken."""

    def _get_matching_outputs(self, my_task):
        matches, defaults_ = super()._get_matching_outputs(my_task)
        if not matches and not defaults_:
            raise _no_path(self)
        return matches, defaults_


OURS = {defaults.ExclusiveGateway: ExclusiveGateway, defaults.InclusiveGateway: InclusiveGateway}
