"""Task forms (任务表单) of the supervision processes.

A user task names its form with the ``formSchema`` property; the engine calls
``registry.validate(key, data)`` before completing the task and shows ``registry.fields(key)``.
``validate`` returns JSON-safe data (dates/times as ISO strings, money as strings of yuan) or raises
``FormError`` whose ``errors`` map each field to a reason in Chinese.
"""
from __future__ import annotations

from . import (accident, accident_supervision, assessment, case_review, dishonesty, enforcement, hazard, hazard_report,
               inspection, joint, leader_inspection, self_report, tipoff)
from .registry import FormError, FormRegistry

registry = FormRegistry()
for _module in (hazard, accident, enforcement, assessment, dishonesty, self_report, tipoff, inspection,
                case_review, accident_supervision, hazard_report, leader_inspection, joint):
    registry.register_all(_module.FORMS)

__all__ = ["FormError", "FormRegistry", "registry"]
