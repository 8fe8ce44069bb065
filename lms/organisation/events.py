"""Signals other capabilities listen to (e.g. enrolment rules when people join or move).

Receivers get ``(sender, employee_ids=[...], now=...)`` after the rows are flushed, inside
the same transaction, and must act set-wise.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

employees_created = signals.signal("employees-created")
employees_post_changed = signals.signal("employees-post-changed")
employees_status_changed = signals.signal("employees-status-changed")
employees_standing_changed = signals.signal("employees-standing-changed")  # roles or flags
