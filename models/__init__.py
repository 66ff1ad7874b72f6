"""Tables of AGIR case management. Importing this package registers every model."""
from models.base import db
from models.reference import Department, Structure
from models.programme import Programme, Session
from models.person import Household, Person
from models.accompaniment import Accompaniment, Extension, Exit, FollowUp
from models.path import (
    RightStep, HousingStep, HousingAccess, Job, Training, Referral, Participation, Event, Note,
)
from models.user import User, ApiToken, LoginThrottle
from models.audit import AuditEntry
from models.alert import Alert, OutboxMessage, JobLock

__all__ = [
    "db", "Department", "Structure", "Programme", "Session", "Household", "Person",
    "Accompaniment", "Extension", "Exit", "FollowUp", "RightStep", "HousingStep",
    "HousingAccess", "Job", "Training", "Referral", "Participation", "Event", "Note",
    "User", "ApiToken", "LoginThrottle", "AuditEntry", "Alert", "OutboxMessage", "JobLock",
]
