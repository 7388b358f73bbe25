"""Error pages (错误页面): engine errors and HTTP errors shown as Chinese pages with the right status.

Views let engine errors rise; this module maps them once: Forbidden → 403, NotFound → 404,
Conflict → 409, InvalidData → 422, IncidentRaised → 409 naming the incident, the database
away or busy → 503 (engine.database.unavailable: 数据库暂时无法连接，请稍后重试). Forms catch
InvalidData themselves to show it next to the fields; what reaches here is a page-level error.
"""
from __future__ import annotations

import logging
import re

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from engine.database import unavailable
from engine.errors import Conflict, Forbidden, IncidentRaised, InvalidData, NotFound

log = logging.getLogger("duban.webui")

TITLES = {400: "请求无效", 401: "需要登录", 403: "无权访问", 404: "页面不存在", 405: "不支持的操作",
          409: "操作冲突", 413: "上传的文件过大", 422: "数据有误", 500: "系统错误",
          503: "暂时无法办理"}


def page(status: int, message: str, details: dict | None = None):
    return render_template("error.html", status=status, title=TITLES.get(status, "出错了"), message=message,
                           details=details or {}), status


_MISSING = re.compile(r"(?P<what>\S+?)不存在(?P<rest>或已完成)?[:：]\s*\S.*")


def _without_key(message: str) -> str:
    """「任务不存在: 84c97414-…」 (the engine's words, with the key the API and the CLI need) as a page
    says it: 「要找的任务不存在，链接可能有误或已失效」 — a link typed wrong or kept from an old page
    showed the task's id, a case's row number, a username."""
    found = _MISSING.fullmatch(message)
    if found is None:
        return message
    return f"要找的{found['what']}不存在{found['rest'] or ''}，链接可能有误或已失效，请从列表中重新打开"


def install(app: Flask) -> None:
    @app.errorhandler(Forbidden)
    def _forbidden(exc):
        return page(403, str(exc) or "您无权访问该页面")

    @app.errorhandler(NotFound)
    def _not_found(exc):
        return page(404, _without_key(str(exc)) or "要找的内容不存在")

    @app.errorhandler(Conflict)
    def _conflict(exc):
        return page(409, str(exc))

    @app.errorhandler(InvalidData)
    def _invalid(exc):
        return page(422, "提交的数据有误", exc.errors)

    @app.errorhandler(IncidentRaised)
    def _incident(exc):
        return page(409, f"流程执行出错，已记录为异常事件 #{exc.incident_id}，负责人处理后可重试。")

    @app.errorhandler(HTTPException)
    def _http(exc):
        default = {404: "要找的页面不存在", 403: "您无权访问该页面", 405: "不支持该操作",
                   413: "上传的文件过大（单次不超过 50 MB）"}.get(exc.code)
        message = exc.description if exc.code == 400 else default or exc.description
        return page(exc.code or 500, message)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        original = getattr(exc, "original_exception", None) or exc
        message = unavailable(original)
        if message:  # the database is away or busy: nothing was saved, the same request may be sent again
            log.warning("database unavailable: %s", str(original).splitlines()[0] if str(original) else "")
            return page(503, message)
        if app.testing:
            raise exc  # let tests see the traceback
        log.exception("unhandled error")
        return page(500, "系统内部错误，请稍后重试或联系管理员。")
