"""Text from a model or a user quoted in a refusal or an incident, cut to a readable length (摘录).

A refusal names what it refuses — 「${a.b(x)}」 — so the designer finds it; quoting the whole of it
made a 200 KB message out of an expression of 100,000 brackets, sent back by every deploy, stored in
every incident and shown on every page listing them. What is quoted is cut to ``LIMIT`` characters
and an ellipsis (…); the file, line and element the refusal names find the rest.
"""
from __future__ import annotations

LIMIT = 80      # an expression or value quoted as the thing refused
ADVICE = 240    # what to write instead: the designer copies it, so a little longer


def excerpt(text: object, limit: int = LIMIT) -> str:
    """``text`` as it is when it has at most ``limit`` characters, else its first ``limit`` and …"""
    text = text if isinstance(text, str) else str(text)
    return text if len(text) <= limit else text[:limit] + "…"
