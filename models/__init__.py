"""Tables of AGIR case management. Importing this package registers every model."""
from models.accompaniment import Accompaniment, Exit, Extension, FollowUp
from models.alert import Alert, JobLock, OutboxMessage
from models.appointment import Appointment
from models.audit import AuditEntry
from models.badge import AlertBadgeCount
from models.base import db
from models.cache import DashboardCache
from models.calendar_feed import CalendarFeed
from models.document import Document
from models.entry import DiagnosticArea, PersonLanguage, PlanObjective
from models.milestones import PersonMilestone
from models.path import (
    Event,
    HousingAccess,
    HousingStep,
    Job,
    Note,
    Participation,
    Referral,
    RightStep,
    Training,
)
from models.person import Household, Person
from models.programme import Programme, Session
from models.reference import Department, Region, Structure
from models.reminder import ReminderMessage
from models.user import ApiToken, LoginThrottle, TotpRecoveryCode, User

__all__ = [
    "db", "Department", "Structure", "Programme", "Session", "Household", "Person",
    "Accompaniment", "Extension", "Exit", "FollowUp", "RightStep", "HousingStep",
    "HousingAccess", "Job", "Training", "Referral", "Participation", "Event", "Note",
    "User", "ApiToken", "LoginThrottle", "AuditEntry", "Alert", "OutboxMessage", "JobLock",
    "Region", "PersonLanguage", "DiagnosticArea", "PlanObjective", "Appointment", "Document",
    "ReminderMessage", "TotpRecoveryCode", "CalendarFeed", "DashboardCache", "AlertBadgeCount",
    "PersonMilestone",
]
