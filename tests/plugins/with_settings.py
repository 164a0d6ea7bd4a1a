"""A plugin that declares one setting of every kind, one of them secret."""

from lms import hookimpl
from lms.settings import Setting

LMS_PLUGIN_API = ">=1,<2"


@hookimpl
def lms_load_settings(app):
    return [
        Setting("greeting", str, "สวัสดี", help="Shown on the home page", label="Greeting"),
        Setting("max_items", int, 10, help="How many items"),
        Setting("show_badge", bool, False),
        Setting("colour", str, "green", choices=(("green", "Green"), ("blue", "Blue"))),
        Setting("api_key", str, "", help="Service key", secret=True),
    ]
