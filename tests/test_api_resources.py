"""The REST API resource by resource, on SQLite and PostgreSQL, through the real app and engine:
tokens and sessions, models, cases, tasks, incidents, timers, the directory, and how each engine
error reaches the client."""
from __future__ import annotations

import io
import re
import pytest
import sqlalchemy as sa

from engine import NotFound
from tests.test_api_helpers import BPMN, PARTY_A, PASSWORD, browser_login
from webui.api import create_token
from webui.api.auth import ApiToken

pytest_plugins = ["tests.test_api_helpers"]  # world, module_database_url


def _upload(content: bytes, filename: str):
    return {"data": {"file": (io.BytesIO(content), filename)}, "content_type": "multipart/form-data"}


def _script_model(process_id: str = "api_script", script: str = "result = amount * 2") -> bytes:
    text = (BPMN / "api_script.bpmn").read_text(encoding="utf-8")
    return text.replace('id="api_script"', f'id="{process_id}"').replace(
        "<bpmn:script>result = amount * 2</bpmn:script>", f"<bpmn:script>{script}</bpmn:script>").encode("utf-8")


def test_openapi_document_is_public_and_describes_every_resource(world):
    r = world.client().get("/api/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    doc = r.get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/models", "/api/models/{key}/versions", "/api/cases", "/api/cases/{case_id}", "/api/tasks",
                 "/api/tasks/{task_id}/claim", "/api/tasks/{task_id}/release", "/api/tasks/{task_id}/complete",
                 "/api/incidents", "/api/incidents/{incident_id}/retry", "/api/timers", "/api/users", "/api/orgs",
                 "/api/roles", "/api/tokens"):
        assert path in doc["paths"], path
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                assert "default" in op["responses"], (method, path)
    assert doc["paths"]["/api/tokens"]["post"]["security"] == []
    deploy = doc["paths"]["/api/models"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in deploy


def test_password_token_is_issued_used_revoked_and_expires(world):
    c = world.client()
    r = c.post("/api/tokens", json={"username": "insp", "password": "wrong"})
    assert r.status_code == 401 and r.get_json()["message"] == "用户名或密码错误"
    r = c.post("/api/tokens", json={"username": "nobody", "password": PASSWORD})
    assert r.status_code == 401 and r.get_json()["message"] == "用户名或密码错误"
    r = c.post("/api/tokens", json={"username": "insp", "password": PASSWORD, "name": "脚本"})
    assert r.status_code == 201, r.get_json()
    token = r.get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    me = c.get("/api/me", headers=auth).get_json()
    assert me["username"] == "insp" and me["auth"] == "token" and me["roles"] == ["inspector"]
    # Stored as a hash only.
    with world.engine.db.read() as s:
        stored = [row.token_hash for row in s.execute(sa.select(ApiToken)).scalars()]
    assert token not in stored and len(stored) == 1

    assert c.delete("/api/tokens/current", headers=auth).status_code == 204
    r = c.get("/api/me", headers=auth)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")

    # Password tokens expire (12 hours) on the engine clock.
    token = c.post("/api/tokens", json={"username": "insp", "password": PASSWORD}).get_json()["token"]
    assert c.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    world.engine.clock.advance(hours=13)
    assert c.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_cli_token_for_known_users_only_and_bad_headers_refused(world):
    with pytest.raises(NotFound):
        create_token(world.engine, "ghost")
    token = create_token(world.engine, "adm", name="ci")
    c = world.client()
    assert c.get("/api/users", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    for header in ("Basic YWRtOng=", "Bearer", "Bearer dbn_" + "x" * 40, "Bearer " + token + "x", token):
        r = c.get("/api/users", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.get_json()["message"]
    assert c.get("/api/users").status_code == 401
    # A deactivated user's token stops working at once.
    with world.engine.db.write() as s:
        from engine.schema import User
        s.get(User, "adm").active = False
    assert c.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_browser_session_is_accepted_and_needs_the_csrf_header_to_change_anything(world):
    c = world.client()
    page_token = browser_login(c, "insp")
    me = c.get("/api/me")
    assert me.status_code == 200 and me.get_json()["auth"] == "session"
    body = {"process_key": "api_matrix", "title": "会话立案"}
    r = c.post("/api/cases", json=body)
    assert r.status_code == 403 and "CSRF" in r.get_json()["message"]
    assert c.post("/api/cases", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    r = c.post("/api/cases", json=body, headers={"X-CSRF-Token": page_token})
    assert r.status_code == 201 and r.get_json()["started_by"] == "insp"


def test_models_deploy_versions_and_source(world):
    r = world.call("POST", "/api/models", "des", **_upload(_script_model(), "api_script.bpmn"))
    assert r.status_code == 201, r.get_json()
    v1 = r.get_json()
    assert (v1["key"], v1["version"], v1["kind"], v1["filename"]) == ("api_script", 1, "bpmn", "api_script.bpmn")
    # The same content again is no new version; changed content is.
    again = world.call("POST", "/api/models", "des", **_upload(_script_model(), "api_script.bpmn")).get_json()
    assert again["id"] == v1["id"]
    v2 = world.call("POST", "/api/models", "adm",
                    **_upload(_script_model(script="result = amount * 3"), "api_script.bpmn")).get_json()
    assert v2["version"] == 2 and v2["deployed_by"] == "adm"

    versions = world.call("GET", "/api/models/api_script/versions", "insp").get_json()["items"]
    assert [v["version"] for v in versions] == [1, 2]
    listed = {m["key"]: m["version"] for m in world.call("GET", "/api/models", "insp").get_json()["items"]}
    assert listed == {"api_matrix": 1, "api_script": 2}
    src = world.call("GET", "/api/models/api_script/source?version=1", "insp")
    assert src.status_code == 200 and src.mimetype == "application/xml" and b"amount * 2" in src.data
    assert b"amount * 3" in world.call("GET", "/api/models/api_script/source", "insp").data
    assert world.call("GET", "/api/models/api_script/source?version=9", "insp").status_code == 404
    r = world.call("GET", "/api/models/nothing_here/versions", "insp")
    assert r.status_code == 404 and "nothing_here" in r.get_json()["message"]


def test_invalid_model_is_refused_with_file_line_element_and_problems(world):
    bad = _script_model("api_badscript", script="result = (amount * 2")
    r = world.call("POST", "/api/models", "des", **_upload(bad, "bad_script.bpmn"))
    assert r.status_code == 422
    body = r.get_json()
    assert body["file"] == "bad_script.bpmn" and body["element_id"] == "run_script" and body["line"] > 1
    assert body["problems"][0]["element_id"] == "run_script" and body["problems"][0]["severity"] == "error"
    # Said in Chinese with the element by its name; its id only in the machine fields.
    assert body["message"].startswith("模型校验未通过：bad_script.bpmn 第 ")
    assert "「计算」的脚本无法编译" in body["message"] and "run_script" not in body["message"]
    assert body["problems"][0]["message"].startswith("脚本任务「计算」的脚本无法编译")
    assert [p["severity"] for p in body["problems"][1:]] == ["warning", "warning"]  # 没有表单: deploys anyway
    assert not [p for p in body["problems"] if p["element_id"] in p["message"]], body["problems"]
    r = world.call("POST", "/api/models", "des", **_upload(_script_model(), "model.txt"))
    assert r.status_code == 422 and "file" in r.get_json()["errors"]
    gbk = "<?xml version='1.0' encoding='GBK'?><a>中</a>".encode("gbk")
    r = world.call("POST", "/api/models", "des", **_upload(gbk, "gbk.bpmn"))
    assert r.status_code == 422 and "UTF-8" in r.get_json()["message"]
    r = world.call("POST", "/api/models", "des", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and r.get_json()["errors"]["file"] == "必填项"


def test_a_refused_model_names_an_unnamed_element_by_its_kind(world):
    """As bpmn.io and Camunda Modeler draw it: a parallel gateway left unnamed and unconnected
    (Gateway_1ab) is 「未命名的并行网关」 in the message; its id is the body's element_id."""
    drawn = (BPMN / "unconnected.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:userTask id="orphan" name="未连线任务" />', '<bpmn:parallelGateway id="Gateway_1ab" />').replace(
        "<bpmn:flowNodeRef>orphan</bpmn:flowNodeRef>", "")
    r = world.call("POST", "/api/models", "des", **_upload(drawn.encode("utf-8"), "bpmnio_gateway.bpmn"))
    assert r.status_code == 422
    body = r.get_json()
    assert body["element_id"] == "Gateway_1ab" and body["problems"][0]["element_id"] == "Gateway_1ab"
    assert "未命名的并行网关" in body["message"] and "Gateway_1ab" not in body["message"], body["message"]
    assert "Gateway_1ab" not in str([p["message"] for p in body["problems"]])


def test_a_file_a_parser_trips_over_is_refused_in_chinese_without_the_parsers_error():
    """What the API and the designer say when SpiffWorkflow's parser raises on a file that passed the
    XML checks (webui.designer.unparsable): Chinese, no exception class or Python text."""
    from webui.designer import unparsable
    refused = unparsable("调查.bpmn", KeyError("bpmn:laneSet"))
    assert refused.filename == "调查.bpmn" and refused.message.startswith("模型无法解析：")
    assert not re.search(r"[A-Za-z]", refused.message), refused.message


def test_cases_start_list_filter_page_and_show_with_history(world):
    ids = []
    for i in range(3):
        r = world.call("POST", "/api/cases", "insp",
                       json={"process_key": "api_matrix", "title": f"案件{i}", "data": {"hazard": f"隐患{i}"}})
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["id"])
    first = world.call("GET", "/api/cases?limit=2", "insp").get_json()
    second = world.call("GET", "/api/cases?limit=2&offset=2", "insp").get_json()
    assert [c["id"] for c in first["items"] + second["items"]] == ids[::-1]
    assert (first["limit"], second["offset"]) == (2, 2)
    case_no = first["items"][0]["case_no"]
    assert [c["id"] for c in world.call("GET", f"/api/cases?case_no={case_no}", "insp").get_json()["items"]] == [ids[2]]
    assert world.call("GET", "/api/cases?status=completed", "insp").get_json()["items"] == []
    assert len(world.call("GET", "/api/cases?status=running&process_key=api_matrix&org=east", "insp")
               .get_json()["items"]) == 3
    assert world.call("GET", "/api/cases?status=closed", "insp").status_code == 422
    assert world.call("GET", "/api/cases?limit=0", "insp").get_json()["errors"]["limit"] == "须在 1 到 200 之间"

    detail = world.call("GET", f"/api/cases/{ids[0]}", "insp").get_json()
    assert detail["title"] == "案件0" and detail["data"]["hazard"] == "隐患0" and detail["model_version"] == 1
    assert sorted(t["spec_id"] for t in detail["tasks"]) == ["approve", "figures", "inspect", "rectify"]
    assert [e["action"] for e in detail["history"]][0] == "started"
    assert detail["history"][0]["actor"] == "insp"
    assert [t["element_id"] for t in detail["timers"]] == ["remind"] and detail["timers"][0]["parked"] is False
    assert world.call("GET", "/api/cases/999999", "insp").status_code == 404
    assert world.call("GET", "/api/cases/99999999999", "insp").status_code == 404  # past int32: no route


def test_tasks_queue_claim_release_complete_and_conflicts(world):
    case_id = world.start("own_org")
    inspect = world.task(case_id, "inspect")
    queue = world.call("GET", "/api/tasks", "insp").get_json()["items"]
    assert {t["spec_id"] for t in queue} == {"inspect", "figures"}
    assert world.call("GET", f"/api/tasks/{inspect}", "insp").get_json()["name"] == "现场检查"

    r = world.call("POST", f"/api/tasks/{inspect}/claim", "insp")
    assert r.status_code == 200 and r.get_json()["assignee"] == "insp"
    assert inspect not in [t["id"] for t in world.call("GET", "/api/tasks", "east_insp2").get_json()["items"]]
    r = world.call("POST", f"/api/tasks/{inspect}/claim", "east_insp2")
    assert r.status_code == 409 and "insp" in r.get_json()["message"]
    assert world.call("POST", f"/api/tasks/{inspect}/release", "insp").get_json()["assignee"] is None

    r = world.call("POST", f"/api/tasks/{inspect}/complete", "east_insp2", json={"data": {"result": "合格"}})
    assert r.status_code == 200 and r.get_json()["case"]["id"] == case_id
    # 下一步: of the case's three open tasks, the one east_insp2 may work (录入罚款, the inspector lane's) —
    # not 审批 (科室负责人) nor 提交整改方案 (the enterprise's), which their queue does not offer either.
    queue_now = {t["id"] for t in world.call("GET", "/api/tasks", "east_insp2").get_json()["items"]}
    nxt = r.get_json()["next_tasks"]
    assert [(t["spec_id"], t["name"]) for t in nxt] == [("figures", "录入罚款")] and {nxt[0]["id"]} <= queue_now
    approve = world.task(case_id, "approve")
    r = world.call("POST", f"/api/tasks/{approve}/complete", "sup", json={"data": {}})
    assert r.status_code == 200 and r.get_json()["next_tasks"] == []  # 录入罚款 is no supervisor's step
    r = world.call("POST", f"/api/tasks/{inspect}/complete", "insp", json={"data": {}})
    assert r.status_code == 409 and r.get_json()["code"] == 409
    done = world.call("GET", "/api/tasks/done", "east_insp2").get_json()["items"]
    assert [t["id"] for t in done] == [inspect] and done[0]["completed_by"] == "east_insp2"

    assert world.call("POST", "/api/tasks/00000000-0000-4000-8000-000000000000/claim", "insp").status_code == 404
    assert world.call("GET", "/api/tasks/not-a-task", "insp").status_code == 404
    r = world.call("POST", f"/api/tasks/{inspect}/complete", "insp", json={"data": [1, 2]})
    assert r.status_code == 422 and r.get_json()["errors"]["data"] == "必须是对象"
    r = world.call("POST", f"/api/tasks/{inspect}/complete", "insp", json={"data": {}, "extra": 1})
    assert r.status_code == 422 and r.get_json()["errors"]["extra"] == "未知字段"


def test_failing_script_is_an_incident_with_its_id_and_a_supervisor_retries_it(world):
    case_id = world.start("own_org")
    figures = world.task(case_id, "figures")
    r = world.call("POST", f"/api/tasks/{figures}/complete", "insp", json={"data": {"total": 100, "days": 0}})
    assert r.status_code == 422
    body = r.get_json()
    assert body["incident_id"] > 0 and "异常事件" in body["message"] and "Traceback" not in str(body)
    # As the incident page says it: the step by its name, the cause in Chinese; the element's id apart.
    assert body["message"].endswith("环节“计算每日罚款”出错：计算时除数为零，请检查提交的数值（如天数、人数不能为 0）后重试，"
                                   "或请流程设计员修改模型"), body["message"]
    assert body["element_id"] == "calc" and "ZeroDivision" not in body["message"]
    assert figures in [t.id for t in world.engine.case(case_id).tasks]  # the case stayed where it was

    assert world.call("GET", "/api/incidents", "insp").get_json()["items"] == []
    listed = world.call("GET", "/api/incidents", "sup").get_json()["items"]
    assert [i["id"] for i in listed] == [body["incident_id"]] and listed[0]["element_id"] == "calc"
    assert world.call("POST", f"/api/incidents/{body['incident_id']}/retry", "insp", json={}).status_code == 403
    r = world.call("POST", f"/api/incidents/{body['incident_id']}/retry", "sup",
                   json={"data": {"total": 100, "days": 5}})
    assert r.status_code == 200 and r.get_json()["incident"]["resolved_by"] == "sup"
    assert world.call("GET", "/api/incidents", "sup").get_json()["items"] == []
    closed = world.call("GET", "/api/incidents?open_only=false", "sup").get_json()["items"]
    assert closed[0]["resolved_at"] is not None
    r = world.call("POST", f"/api/incidents/{body['incident_id']}/retry", "sup", json={})
    assert r.status_code == 409


def test_engine_errors_map_to_statuses_with_chinese_field_errors(world):
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "api_matrix", "org": "nowhere"})
    assert r.status_code == 422 and r.get_json()["errors"] == {"org": "组织机构不存在: nowhere"}
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "no_such_process"})
    assert r.status_code == 404 and "no_such_process" in r.get_json()["message"]
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "api_matrix", "title": "长" * 300})
    assert r.status_code == 422 and r.get_json()["errors"]["title"] == "长度不能超过 256"
    r = world.call("POST", "/api/cases", "insp", json={"title": "x"})
    assert r.get_json()["errors"]["process_key"] == "必填项"
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "api_matrix", "data": {"__builtins__": {}}})
    assert r.status_code == 422 and "双下划线" in r.get_json()["errors"]["data"]
    r = world.call("POST", "/api/cases", "insp", json={"process_key": "api_matrix", "org": "../etc"})
    assert r.status_code == 422 and "org" in r.get_json()["errors"]
    r = world.call("POST", "/api/cases", "ent", json={"process_key": "api_matrix", "party": PARTY_A + "X"})
    assert r.status_code == 403


def test_timers_listed_by_visibility_and_due_time(world):
    case_id = world.start("own_org")
    timers = world.call("GET", "/api/timers", "insp").get_json()["items"]
    assert [(t["case_id"], t["element_id"], t["kind"]) for t in timers] == [(case_id, "remind", "reminder")]
    assert world.call("GET", "/api/timers", "west_insp").get_json()["items"] == []
    assert world.call("GET", "/api/timers?overdue_only=true", "insp").get_json()["items"] == []
    world.engine.clock.advance(days=11)
    assert len(world.call("GET", "/api/timers?overdue_only=true", "insp").get_json()["items"]) == 1


def test_directory_admin_creates_users_and_org_units(world):
    r = world.call("POST", "/api/users", "adm", json={"username": "zhou", "name": "周九", "org": "west",
                                                     "roles": ["inspector", "科室负责人"], "password": "A-long-secret"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"username": "zhou", "name": "周九", "org_code": "west", "party": None, "active": True,
                            "roles": ["inspector", "supervisor"]}
    assert "password" not in r.get_json()
    token = world.client().post("/api/tokens", json={"username": "zhou", "password": "A-long-secret"})
    assert token.status_code == 201
    users = {u["username"]: u for u in world.call("GET", "/api/users", "adm").get_json()["items"]}
    assert users["ent"]["party"] == PARTY_A and users["sup"]["roles"] == ["supervisor"]
    r = world.call("POST", "/api/users", "adm", json={"username": "wu", "org": "west", "roles": ["ghost_role"]})
    assert r.status_code == 422 and "ghost_role" in r.get_json()["errors"]["roles"]
    r = world.call("POST", "/api/users", "adm", json={"username": "wu", "org": "west", "password": "short"})
    assert r.get_json()["errors"]["password"] == "长度须在 8 到 128 之间"

    r = world.call("POST", "/api/orgs", "adm",
                   json={"code": "west_an", "name": "安宁镇", "parent": "west", "level": "镇"})
    assert r.status_code == 201 and r.get_json()["path"] == "/city/west/west_an/"
    r = world.call("POST", "/api/orgs", "adm", json={"code": "x1", "name": "某镇", "parent": "nowhere"})
    assert r.status_code == 422 and "nowhere" in r.get_json()["errors"]["parent"]
    orgs = [o["code"] for o in world.call("GET", "/api/orgs", "ent").get_json()["items"]]
    assert orgs == ["city", "east", "east_town", "west", "west_an"]
    roles = {r["code"]: r for r in world.call("GET", "/api/roles", "insp").get_json()["items"]}
    assert roles["supervisor"]["sees_subordinate_orgs"] is True and roles["inspector"]["name"] == "执法人员"
