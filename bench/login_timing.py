"""How long a refused login takes for a name that exists and for one that does not (issue 12: the
limiter's and the password check's timing must not tell which names exist).

Runs the real app on a SQLite file; each round posts a wrong password for an existing user and for
an unknown name, alternately, through the login page and POST /api/tokens, with the lockout limits
raised so nothing is refused with 429. Prints medians in milliseconds and their ratio.

    python bench/login_timing.py [--rounds 30] [--json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from werkzeug.security import generate_password_hash

    from engine import Engine
    from webui.app import create_app
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(f"sqlite:///{tmp}/bench.sqlite")
        engine.create_all()
        engine.directory.add_org("east", "东城区")
        engine.directory.add_user("zhang", org="east", name="张三", password_hash=generate_password_hash("Anquan#2027go"))
        app = create_app(engine, secret_key="bench", instance_path=Path(tmp) / "instance", config={
            "DUBAN_LOGIN_ACCOUNT_LIMIT": "100000 per minute", "DUBAN_LOGIN_ADDRESS_LIMIT": "100000 per minute"})
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
        times = {("page", "existing"): [], ("page", "unknown"): [], ("api", "existing"): [], ("api", "unknown"): []}
        for i in range(args.rounds):
            for who, name in (("existing", "zhang"), ("unknown", f"nobody{i}")):
                t0 = time.perf_counter()
                r = client.post("/login", data={"username": name, "password": "wrong", "_csrf": token})
                times[("page", who)].append(time.perf_counter() - t0)
                assert r.status_code == 401, r.status_code
                t0 = time.perf_counter()
                r = client.post("/api/tokens", json={"username": name, "password": "wrong"})
                times[("api", who)].append(time.perf_counter() - t0)
                assert r.status_code == 401, r.status_code
        engine.dispose()
    result = {f"{via}_{who}_ms": round(statistics.median(v) * 1000, 2) for (via, who), v in times.items()}
    for via in ("page", "api"):
        result[f"{via}_ratio_unknown_to_existing"] = round(
            result[f"{via}_unknown_ms"] / result[f"{via}_existing_ms"], 3)
    print(json.dumps(result, ensure_ascii=False) if args.json else
          "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
