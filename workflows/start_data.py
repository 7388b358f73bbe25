"""What a process needs in its case data before its first step (发起数据), by process key.

Most processes start empty and ask their first task for everything. A few need a snapshot taken at
start: the 双随机抽查计划 records the registry and the inspectors its draw will use, so that the draw
can be re-run by an auditor from the case alone (``workflows.inspection_plans.snapshot``). Every way
of starting a case (the 发起案件 page, the REST API) asks here first.
"""
from __future__ import annotations


def start_data(engine, process_key: str, org: str) -> dict:
    if process_key == "inspection_plan":
        from workflows.inspection_plans import snapshot
        return snapshot(engine, org)
    return {}
