"""A 举报人's phone number and 身份证号 as a 12350 desk types them (录入规整, issue 15).

Both were free text: ``138 0013 8000`` and ``13800138000`` were two numbers in the records, a
身份证号 typed with a lower-case ``x`` was stored so, and ``1380013800`` (a digit short) or a number
with a digit mistyped was accepted, found out only when the 举报人 could not be called back to be told
the result (《安全生产领域举报奖励办法》第十五条) or their identity checked for the reward (第二十一条).
Now each is stored as the records write it or refused with the reason, naming the field, on the
page (everything else typed kept) and through the engine on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from engine import InvalidData
from tests.process_support import process_world
from workflows.demo import CHEMICAL
from workflows.forms import FormError, registry
from workflows.forms.samples import sample

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)
INTAKE = "tipoff.intake"

PHONES = [
    ("138 0013 8000", "13800138000"), ("138-0013-8000", "13800138000"), ("+86 138 0013 8000", "13800138000"),
    ("１３８００１３８０００", "13800138000"), (" 13800138000\u3000", "13800138000"),
    ("010-62345678", "010-62345678"), ("010 6234 5678", "010-62345678"), ("(010)62345678", "010-62345678"),
    ("０１０－６２３４５６７８", "010-62345678"), ("010-62345678转801", "010-62345678-801"),
    ("0755 8888 8888", "0755-88888888"), ("62345678", "62345678"), ("400-810-8888", "400-810-8888"),
]
BAD_PHONES = [
    ("1380013800", "手机号应为11位数字，实际为10位"),
    ("010-6xxxxxxx", "应为手机号（如 138 0013 8000）或带区号的座机号（如 010-62345678）"),
    ("电话：一三八", "应为手机号（如 138 0013 8000）或带区号的座机号（如 010-62345678）"),
    ("13800138000、010-62345678", "请只填写一个联系电话（如 13800138000）"),
]
IDS = [("11010119900101123x", None), ("1101 0119 9001 0112 3X", None), ("１１０１０１１９９００１０１１２３ｘ", None),
       ("110101199001011237", "110101199001011237"), ("110101900101123", "110101900101123")]
BAD_IDS = [
    ("110101199001011234", "身份证号校验码不符（第18位应为“7”，实际为“4”），请核对"),
    ("11010119900101123", "身份证号应为18位，实际为17位"),
    ("110101199013011234", "身份证号中的出生日期 19901301 不是有效的日期"),
    ("11010119900101123Y", "身份证号前17位应为数字，第18位为数字或X"),
]


def _check_char(first17: str) -> str:  # GB 11643-1999, worked out here so the table above is honest
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def _with_x() -> str:
    """A 身份证号 whose check character is X (found by walking the sequence number)."""
    for seq in range(1000):
        first17 = f"11010119900101{seq:03d}"
        if _check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError


X_ID = _with_x()


def _submit(**changes):
    try:
        return registry.validate(INTAKE, {**sample(INTAKE, START.date()), **changes}), None
    except FormError as exc:
        return None, exc.errors


@pytest.mark.parametrize("typed, stored", PHONES)
def test_a_phone_number_is_stored_as_the_records_write_it(typed, stored):
    data, errors = _submit(whistleblower_phone=typed)
    assert errors is None and data["whistleblower_phone"] == stored


@pytest.mark.parametrize("typed, reason", BAD_PHONES)
def test_a_phone_number_nobody_could_call_is_refused_saying_why(typed, reason):
    assert _submit(whistleblower_phone=typed) == (None, {"whistleblower_phone": reason})


@pytest.mark.parametrize("typed", [X_ID.lower(), " ".join([X_ID[:6], X_ID[6:14], X_ID[14:].lower()]),
                                   X_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))])
def test_an_id_number_typed_with_a_small_x_or_blanks_is_stored_upper_case(typed):
    data, errors = _submit(whistleblower_id_number=typed)
    assert errors is None and data["whistleblower_id_number"] == X_ID


@pytest.mark.parametrize("typed, reason", BAD_IDS)
def test_an_id_number_mistyped_is_refused_saying_what_is_wrong(typed, reason):
    assert _submit(whistleblower_id_number=typed) == (None, {"whistleblower_id_number": reason})


def test_an_anonymous_tipoff_leaves_both_empty():
    data, errors = _submit(anonymous=True, whistleblower_name="", whistleblower_phone=" ", whistleblower_id_number=None)
    assert errors is None and (data["whistleblower_phone"], data["whistleblower_id_number"]) == (None, None)


def test_the_intake_stores_them_normalized_and_the_page_refuses_naming_the_field(database_url):
    from webui.app import create_app
    from tests.ui_support import client_login
    world = process_world(database_url, "tipoff_12350", None, START)
    w = next(world)
    try:
        c = w.desk.start("tipoff_12350", by="he_sl", org="dongcheng", party=CHEMICAL, title="12350举报").id
        with pytest.raises(InvalidData) as refused:
            w.desk.do(c, "受理登记举报", whistleblower_phone="1380013800")
        assert refused.value.errors == {"whistleblower_phone": "手机号应为11位数字，实际为10位"}
        fast = generate_password_hash("pw-2026", method="pbkdf2:sha256:1000")
        w.engine.directory.add_user("he_web", org="dongcheng", roles=["intake"], name="何受理", password_hash=fast)
        client = client_login(create_app(w.engine, secret_key="t", testing=True), "he_web", "pw-2026")
        task = w.desk.task(c, "受理登记举报")
        typed = {**sample(INTAKE, START.date()), "whistleblower_name": "阿卜杜•热合曼", "whistleblower_phone": "138 0013 8000",
                 "whistleblower_id_number": X_ID[:-1] + "0", "anonymous": "false", "tipoff_content": "夜间槽车装卸无人监护"}
        posted = [(k, v) for k, v in typed.items() if isinstance(v, str)] + [("_csrf", client.csrf)]
        page = client.post(f"/tasks/{task.id}", data=MultiDict(posted))
        html = page.get_data(as_text=True)
        assert page.status_code == 422
        assert f"身份证号校验码不符（第18位应为“X”，实际为“0”），请核对" in html and "举报人身份证号" in html
        assert 'value="138 0013 8000"' in html and "夜间槽车装卸无人监护" in html  # what was typed is kept
        assert w.engine.task(task.id).state == "open"
        posted = [(k, v) for k, v in {**typed, "whistleblower_id_number": X_ID.lower()}.items() if isinstance(v, str)]
        assert client.post(f"/tasks/{task.id}", data=MultiDict(posted + [("_csrf", client.csrf)])).status_code == 302
        data = w.engine.case(c).data
        assert (data["whistleblower_name"], data["whistleblower_phone"], data["whistleblower_id_number"]) == \
            ("阿卜杜·热合曼", "13800138000", X_ID)
    finally:
        world.close()
