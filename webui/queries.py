"""The page queries live in the engine under its read policy (engine/queries.py); this name stays
for the pages that import it."""
from engine.queries import *  # noqa: F401,F403
from engine.queries import (BOARD_CAP, OverdueCell, Scope, _orgs_in_scope, approvals, case_form_keys, case_heads, cases_by_number,  # noqa: F401
                            group_queue, overdue_board, overdue_tasks, task_form_keys)
