"""LOG_FORMAT=json: one JSON object per line, the security log's fields as keys."""

import json
import logging

from portal import security_log
from portal.logs import JsonFormatter


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def capture(logger_name):
    handler = Capture()
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    return logger, handler


def test_a_plain_record_is_one_json_line():
    logger, handler = capture("portal.tests.json")
    try:
        logger.warning("task=%s event=kept_in_outbox\nsecond line", "billing.tasks.send")
    finally:
        logger.removeHandler(handler)
    [line] = handler.lines
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["logger"] == "portal.tests.json"
    assert data["message"] == "task=billing.tasks.send event=kept_in_outbox\nsecond line"
    assert data["time"].endswith("+00:00")


def test_a_traceback_stays_inside_the_line():
    logger, handler = capture("portal.tests.json")
    try:
        try:
            raise ValueError("factura F-2026-0042 lipsește")
        except ValueError:
            logger.exception("import eșuat")
    finally:
        logger.removeHandler(handler)
    [line] = handler.lines
    data = json.loads(line)
    assert "ValueError: factura F-2026-0042 lipsește" in data["exception"]
    assert data["message"] == "import eșuat"


def test_security_events_have_their_fields_as_keys():
    logger, handler = capture("portal.security_log")
    try:
        security_log.event("login_failed", level=logging.WARNING, user="", email="ana@client-a.ro", ip="203.0.113.9")
    finally:
        logger.removeHandler(handler)
    data = json.loads(handler.lines[0])
    assert data["message"] == "login_failed"
    assert data["event"] == "login_failed"
    assert data["email"] == "ana@client-a.ro" and data["ip"] == "203.0.113.9" and data["user"] == ""
    assert data["level"] == "WARNING"


def test_a_field_named_like_a_record_key_does_not_replace_it():
    logger, handler = capture("portal.security_log")
    try:
        security_log.event("action", level=logging.INFO, message="spoof", level_name="x")
    finally:
        logger.removeHandler(handler)
    data = json.loads(handler.lines[0])
    assert data["message"] == "action" and data["level"] == "INFO"


def test_settings_switch_the_console_to_json(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("LOG_FORMAT", "json")
    reloaded = importlib.reload(portal_settings)
    try:
        assert reloaded.LOGGING["handlers"]["console"]["formatter"] == "json"
        assert reloaded.LOGGING["formatters"]["json"]["()"] == "portal.logs.JsonFormatter"
    finally:
        monkeypatch.delenv("LOG_FORMAT")
        default = importlib.reload(portal_settings)
    assert "formatter" not in default.LOGGING["handlers"]["console"]
