"""Text and empty fields as people type them, the same through the REST API as on the page (录入规整,
issue 15).

The page strips every input and reads one left empty as not given; a REST client (or a 12350 desk's
import) sending the same text was read otherwise: ``"  储罐区\u3000"`` was stored with its blanks,
``""`` for an optional count was refused with 应为整数 (and for a required one with 应为整数, not
此项为必填项), ``""`` for an optional text was stored as ``""``. Now every field of every form reads
blanks as the page does. A name typed with ``•`` or ``・`` (阿卜杜•热合曼) is stored with the 间隔号 ``·``
every other record uses; 5,000 characters and emoji are kept whole (5,001 refused, naming the limit).
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.ui_support import api_client, make_world, open_task, start_hazard
from workflows.forms import FormError, registry
from workflows.forms.fields import _ReadBy
from workflows.forms.samples import sample

TODAY = dt.date(2026, 11, 20)
BLANKS = ["", "  ", "\u3000", " \u3000\t"]


def _all_fields():
    return [(key, f) for key in registry.keys() for f in registry.fields(key)
            if f["type"] not in ("table", "attachments", "names", "people", "multichoice")]


def _read_as_numbers(key: str, name: str) -> bool:
    """A 联系电话 or 身份证号 field (workflows/forms/fields.phone, id_number): read as numbers,
    tests/test_typed_input_contacts.py."""
    return isinstance(registry.schema(key).fields.get(name), _ReadBy)


FIELDS = _all_fields()
TEXTS = [(k, f) for k, f in FIELDS
         if f["type"] in ("text", "textarea") and not f.get("party_code") and not _read_as_numbers(k, f["name"])]


def _submit(key: str, name: str, typed):
    try:
        return registry.validate(key, {**sample(key, TODAY), name: typed}).get(name), None
    except FormError as exc:
        return None, exc.errors


@pytest.mark.parametrize("key, field", FIELDS, ids=[f"{k}.{f['name']}" for k, f in FIELDS])
def test_a_field_sent_blank_is_left_empty_as_on_the_page(key, field):
    """Sent as blanks, every field reads as one sent as null: the same value or the same refusal."""
    as_null = _submit(key, field["name"], None)
    for blank in BLANKS:
        assert _submit(key, field["name"], blank) == as_null, repr(blank)
    if field["required"]:
        assert as_null[1] and field["name"] in as_null[1], as_null


@pytest.mark.parametrize("key, field", TEXTS, ids=[f"{k}.{f['name']}" for k, f in TEXTS])
def test_blanks_around_a_text_are_not_part_of_it(key, field):
    assert _submit(key, field["name"], "\u3000 储罐区（二号）、阀门；\n ") == ("储罐区（二号）、阀门；", None)


@pytest.mark.parametrize("typed", ["阿卜杜•热合曼", "阿卜杜・热合曼", "阿卜杜 • 热合曼", "阿卜杜‧热合曼", "阿卜杜·热合曼"])
def test_a_name_typed_with_another_dot_is_written_with_the_interpunct(typed):
    key = next(k for k, f in TEXTS if f["name"] == "whistleblower_name")
    assert _submit(key, "whistleblower_name", typed) == ("阿卜杜·热合曼", None)
    assert _submit(key, "whistleblower_name", "• 张三") == ("• 张三", None)  # a bullet, not a name's dot


def test_long_text_and_emoji_are_kept_whole_and_the_limit_is_named():
    key = "hazard.register"
    assert _submit(key, "description", "隐" * 5000) == ("隐" * 5000, None)
    assert _submit(key, "description", "隐" * 5001) == (None, {"description": "不能超过5000个字"})
    assert _submit(key, "description", "阀门漏气😀👍🏻") == ("阀门漏气😀👍🏻", None)


REGISTER = {"source": "监督检查发现", "enterprise_name": "\u3000甲化工有限公司 ", "sector": "危化",
            "location": " 储罐区\n", "description": "可燃气体报警装置失效😀" + "隐" * 4989, "found_on": "2026年11月20日 ",
            "fix_deadline": "2026/11/30", "credit_code": "", "major_criterion": "  ", "requires_shutdown": "",
            "long_rectification": "否", "external_factors": "\u3000"}


def test_the_api_stores_what_the_page_would_store(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    try:
        case = start_hazard(w.engine)
        task = open_task(w.engine, case.id, "register")
        client = api_client(w.app, w.engine, 'zhang')
        done = client.post(f"/api/tasks/{task.id}/complete", json={"data": REGISTER})
        assert done.status_code == 200, done.get_json()
        data = w.engine.case(case.id).data
        assert (data["enterprise_name"], data["location"], data["found_on"], data["fix_deadline"]) == \
            ("甲化工有限公司", "储罐区", "2026-11-20", "2026-11-30")
        assert data["description"] == REGISTER["description"] and len(data["description"]) == 5000
        assert (data["credit_code"], data["major_criterion"]) == (None, None)
        assert (data["requires_shutdown"], data["long_rectification"], data["external_factors"]) == (False, False, False)
    finally:
        w.engine.dispose()


NAMES = [(k, f) for k in registry.keys() for f in registry.fields(k) if f["type"] == "names"]


@pytest.mark.parametrize("sent", ["张三、阿卜杜•热合曼 ；李四\n", [" 张三 ", "阿卜杜・热合曼", "李四\u3000"], "张三,阿卜杜·热合曼，李四"])
@pytest.mark.parametrize("key, field", NAMES, ids=[f"{k}.{f['name']}" for k, f in NAMES])
def test_names_sent_in_one_string_or_with_blanks_are_the_pages_list(key, field, sent):
    """调查组成员、约谈人…: the page splits a box of names at 、，；and new lines; the API now does too."""
    expected = ["张三", "阿卜杜·热合曼", "李四"]
    assert _submit(key, field["name"], sent) == (expected, None)
