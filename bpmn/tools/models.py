"""The processes of DESIGN §3, in the order the issues list them."""
from __future__ import annotations

from . import (accident, accident_supervision, assessment, case_review, enforcement, hazard, hazard_report, inspection,
               joint_mechanisms, leader_inspection, self_report, tipoff)

PROCESSES = [hazard.build(), accident.build(), enforcement.build(), assessment.build(), self_report.build(),
             tipoff.build(), inspection.build_plan(), inspection.build_inspection(),
             case_review.build(), accident_supervision.build(), hazard_report.build_report(), hazard_report.build_round(),
             leader_inspection.build(), leader_inspection.build_round(), leader_inspection.build_reminder(),
             joint_mechanisms.build_meeting(), joint_mechanisms.build_inspection(), joint_mechanisms.build_round(),
             joint_mechanisms.build_reminder()]
