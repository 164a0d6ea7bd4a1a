"""The core data model: users and roles, courses, sections, activities, enrolment, progress."""

from lms.models.course import Activity, Course, Section
from lms.models.file import StoredFile
from lms.models.plugin import PluginSetting, PluginState
from lms.models.progress import ActivityProgress, Enrolment
from lms.models.user import ROLES, Role, User

__all__ = [
    "ROLES",
    "Activity",
    "ActivityProgress",
    "Course",
    "Enrolment",
    "PluginSetting",
    "PluginState",
    "Role",
    "Section",
    "StoredFile",
    "User",
]
