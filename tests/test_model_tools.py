"""Designer support in the engine: diff of two versions, and a test-run of a draft that never
touches the real database."""
from __future__ import annotations

import pytest

from engine import modeldiff
from tests.support import BPMN, deploy, make_engine


@pytest.fixture
def engine(sqlite_url):
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


def test_diff_names_added_removed_and_changed_elements():
    old = (BPMN / "deadline.bpmn").read_text(encoding="utf-8")
    new = old.replace("workdays_after(registered_at, 10)</bpmn:timeDate>", "workdays_after(registered_at, 15)</bpmn:timeDate>") \
        .replace('<bpmn:userTask id="escalate" name="约谈督办" />', '<bpmn:userTask id="escalate" name="约谈" />') \
        .replace('<bpmn:endEvent id="remind_end" />', '<bpmn:endEvent id="remind_done" />') \
        .replace('targetRef="remind_end"', 'targetRef="remind_done"')
    result = modeldiff.diff(old, new)
    assert [e["id"] for e in result["added"]] == ["remind_done"]
    assert [e["id"] for e in result["removed"]] == ["remind_end"]
    changed = {c["id"]: c["changes"] for c in result["changed"]}
    assert changed["overdue"]["timer_timeDate"]["new"] == "workdays_after(registered_at, 15)"
    assert set(changed["escalate"]) == {"name"}
    assert {k: changed["escalate"]["name"][k] for k in ("old", "new", "label")} == {"old": "约谈督办", "new": "约谈", "label": "名称"}
    assert set(changed) == {"overdue", "escalate", "f_rem"}


def test_dry_run_walks_a_draft_without_touching_the_database(engine):
    deploy(engine, "approval.bpmn")
    draft = (BPMN / "approval.bpmn").read_text(encoding="utf-8").replace("登记隐患", "登记隐患（草稿）")
    result = engine.dry_run(draft, "approval.bpmn", data_by_task={"approve": {"approved": True}})
    assert result["ok"] and result["status"] == "completed"
    assert [t["name"] for t in result["trace"]] == ["登记隐患（草稿）", "审批"]
    assert engine.models.latest("approval").version == 1 and engine.cases() == []


def test_dry_run_reports_the_failing_element(engine):
    draft = (BPMN / "failing_script.bpmn").read_text(encoding="utf-8")
    result = engine.dry_run(draft, "failing_script.bpmn", start_data={"total": 1, "days": 0})
    assert not result["ok"] and result["status"] == "incident" and result["element_id"] == "calc"
    assert "division by zero" in result["error"]


def test_dry_run_stops_at_a_timer(engine):
    result = engine.dry_run((BPMN / "timer_start.bpmn").read_text(encoding="utf-8"), "timer_start.bpmn")
    assert result["ok"] and result["status"] == "waiting_on_timer" and result["trace"] == []
    assert result["timers"][0]["element"] == "ts_start"


def test_listings_without_file_text_and_decision_ids(engine):
    deploy(engine, "score.dmn", "approval.bpmn")
    listed = {m.key: m for m in engine.models.list(content=False)}
    assert listed["approval"].version == 1 and listed["approval"].name == "登记审批"
    assert engine.models.version("approval", 1).content.startswith("<?xml")
    assert engine.models.decisions() == [{"id": "risk_band", "name": "风险等级", "model_key": "score_defs"}]


def test_diff_treats_a_missing_cancel_activity_as_interrupting():
    old = (BPMN / "deadline.bpmn").read_text(encoding="utf-8")
    new = old.replace('cancelActivity="true"', "")
    assert modeldiff.diff(old, new) == {"added": [], "removed": [], "changed": []}
