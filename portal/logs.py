"""``LOG_FORMAT=json``: one JSON object per line for every log record, for log shippers.

Each line has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``; a traceback travels in
``exception`` inside the same object, so a multi-line error is still one line. A security-log record
(``portal.security_log.event``) puts its fields (``event``, ``user``, ``company``, ``ip``…) at the
top level, where a shipper indexes them, instead of the ``key=value`` text of the default format.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# The record's own keys that a security field must not overwrite.
RESERVED = frozenset({"time", "level", "logger", "message", "exception", "stack"})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        security = getattr(record, "security", None)
        if isinstance(security, dict):
            payload["message"] = str(security.get("event", payload["message"]))
            payload.update({key: value for key, value in security.items() if key not in RESERVED})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(payload, ensure_ascii=False, default=str)
