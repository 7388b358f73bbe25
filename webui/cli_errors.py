"""An administrator's ordinary mistake, said in Chinese by the ``duban`` command line (命令行出错提示).

A wrong ``DUBAN_DATABASE_URL`` (a typo, ``mysql://``, a server that is down, a wrong password), a
SQLite folder that cannot be made, a file that is not a database, or a database restored from a newer
Duban ended every command with a Python traceback in English. ``reason`` turns each into one line
saying what is wrong and what to do; anything else (a bug) still shows its traceback.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from engine.database import unavailable

URL_HELP = ("SQLite 写 sqlite:///var/duban.sqlite（或绝对路径 sqlite:////srv/duban/duban.sqlite），"
            "PostgreSQL 写 postgresql+psycopg://用户:密码@主机:端口/库名")


def reason(exc: BaseException, url: str) -> str | None:
    """The Chinese line for ``exc`` met while the command used database ``url``, or None (not an
    ordinary mistake: let its traceback show)."""
    shown = _shown(url)
    if isinstance(exc, sa.exc.ArgumentError) and "Could not parse" in str(exc):
        return f"数据库地址 DUBAN_DATABASE_URL「{shown}」无法识别；{URL_HELP}"
    backend = _backend(url)
    if backend is not None and backend not in ("sqlite", "postgresql"):
        return f"数据库地址「{shown}」的数据库类型「{backend}」不受支持：督办只用 SQLite 或 PostgreSQL；{URL_HELP}"
    if isinstance(exc, PermissionError) or (isinstance(exc, OSError) and not isinstance(exc, sa.exc.SQLAlchemyError)
                                            and getattr(exc, "filename", None)):
        return f"不能创建或打开「{exc.filename}」（{_os_reason(exc)}）；请检查数据库文件所在的目录和运行督办的账号的权限"
    newer = re.search(r"Can't locate revision identified by '([^']+)'", str(exc))
    if newer:
        from engine.migrate import heads
        return (f"数据库「{shown}」的结构版本是 {newer.group(1)}，比本程序认识的最新版本 {', '.join(heads())} 新："
                f"它是较新版本的督办写的（或从较新版本的备份恢复）；请用同一版本或更新版本的督办运行，不要用旧版本打开")
    text = str(getattr(exc, "orig", None) or exc).lower()
    if isinstance(exc, sa.exc.DatabaseError) and "file is not a database" in text:
        return f"「{shown}」不是 SQLite 数据库文件（可能是别的文件，或文件已损坏）；请检查 DUBAN_DATABASE_URL"
    if "password authentication failed" in text:
        return f"数据库「{shown}」拒绝登录：用户名或密码不对；请检查 DUBAN_DATABASE_URL 中的用户和密码"
    found = re.search(r'database "([^"]+)" does not exist', text)
    if found:
        return f"PostgreSQL 上没有名为「{found.group(1)}」的数据库；请先建库（createdb {found.group(1)}），或改正 DUBAN_DATABASE_URL"
    said = unavailable(exc)
    if said is not None:
        where = "SQLite 数据库文件打不开（目录不存在或没有权限）" if backend == "sqlite" else "请检查数据库服务是否在运行、主机和端口是否正确"
        return f"{said}（数据库地址「{shown}」）；{where}"
    return None


def _backend(url: str) -> str | None:
    try:
        return sa.engine.make_url(url).get_backend_name()
    except Exception:  # noqa: BLE001 - an unparsable URL is said by the first branch
        return None


def _shown(url: str) -> str:
    """The URL as shown to the administrator: its password hidden."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def _os_reason(exc: OSError) -> str:
    import errno
    return {errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.ENOSPC: "磁盘已满", errno.EROFS: "只读文件系统",
            errno.ENOTDIR: "路径中有一段不是目录", errno.ENOENT: "目录不存在"}.get(exc.errno or 0, exc.strerror or "系统错误")
