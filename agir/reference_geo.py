"""The INSEE regions and each department's region (the data lives in models/geo.py, beside the tables)."""
from models.geo import DEPARTMENT_REGIONS, REGIONS, departments_of, region_of

__all__ = ["DEPARTMENT_REGIONS", "REGIONS", "departments_of", "region_of"]
