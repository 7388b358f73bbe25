"""The enterprise registry (一企一档): who the supervised enterprises are, and how risky.

Modules, one job each: :mod:`.credit_code` (GB 32100-2015 codes), :mod:`.terms` (vocabularies),
:mod:`.models` (tables, ``create_tables``), :mod:`.search_index` (fast name search),
:mod:`.schemas` (validation), :mod:`.registry` (the service), :mod:`.supervision` (inspection
frequency by risk level), :mod:`.spreadsheet` (CSV/xlsx import and export), :mod:`.samples` (fake data).
"""
from .models import Enterprise, EnterpriseBase, RiskLevelChange, create_tables
from .registry import (DuplicateEnterprise, EnterpriseError, EnterpriseInvalid, EnterpriseNotFound,
                       EnterpriseRegistry, Page)
from .terms import RiskLevel, Sector, Size

__all__ = [
    "DuplicateEnterprise", "Enterprise", "EnterpriseBase", "EnterpriseError", "EnterpriseInvalid",
    "EnterpriseNotFound", "EnterpriseRegistry", "Page", "RiskLevel", "RiskLevelChange", "Sector",
    "Size", "create_tables",
]
