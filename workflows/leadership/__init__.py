"""What leaders look at (领导驾驶舱、通报排名、统计报表、风险分布): read-only figures computed from case data.

- :mod:`.period`     年/季度/月 periods in China's time, parsed from "2026", "2026Q4", "2026-11";
- :mod:`.scope`      an org subtree and how its units roll up to the level below the root (区/镇);
- :mod:`.dashboard`  the dashboard's indicators, each one or two grouped SQL queries, and the
                     filter each chart's click-through list uses (same conditions as its figure);
- :mod:`.ranking`    the quarterly 通报排名 of districts/towns and the 约谈 ladder (柴桑区实施意见, seed 003).

Nothing here writes. Queries read the engine's tables (``case_instance``, ``human_task``) and case data
fields the processes set (``hazard_grade``, ``rectify_deadline``, ``delisted_at``, ``accident_grade``…);
a process that is not deployed, or a field a case lacks, simply counts as no data.
"""
