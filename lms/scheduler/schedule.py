"""When a sweep fires: whether it is due, how many fire times were missed, when it fires next,
and its timetable in words. Pure arithmetic over aware datetimes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.scheduler.jobs import Sweep


@dataclass(frozen=True)
class Timing:
    """The deployment's scheduling settings: the interval of sweeps that name none and the
    time zone of daily times."""

    default_seconds: int = 60
    tz: dt.tzinfo = dt.UTC

    @classmethod
    def from_app(cls, app: Flask) -> Timing:
        return cls(
            default_seconds=int(app.config["SCHEDULER_INTERVAL_SECONDS"]),
            tz=ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]),
        )

    def interval(self, sweep: Sweep) -> dt.timedelta | None:
        """The sweep's interval; None for a daily sweep."""
        if sweep.daily_at is not None:
            return None
        return dt.timedelta(seconds=sweep.every_seconds or self.default_seconds)

    def daily_instant(self, sweep: Sweep, day: dt.date) -> dt.datetime:
        """The moment the daily sweep fires on a local calendar day, in UTC."""
        assert sweep.daily_at is not None
        local = dt.datetime.combine(day, sweep.daily_at.replace(tzinfo=None), tzinfo=self.tz)
        return local.astimezone(dt.UTC)

    def _first_daily_after(self, sweep: Sweep, moment: dt.datetime) -> dt.datetime:
        day = moment.astimezone(self.tz).date()
        instant = self.daily_instant(sweep, day)
        while instant <= moment:
            day += dt.timedelta(days=1)
            instant = self.daily_instant(sweep, day)
        return instant

    def missed(self, sweep: Sweep, last: dt.datetime | None, now: dt.datetime) -> int:
        """Fire times in (last, now]: whole intervals elapsed since the last run, or the daily
        instants passed since it. Nothing is missed by a sweep that never ran."""
        if last is None or now <= last:
            return 0
        interval = self.interval(sweep)
        if interval is not None:
            return int((now - last) // interval)
        first = self._first_daily_after(sweep, last)
        if first > now:
            return 0
        today = now.astimezone(self.tz).date()
        count = (today - first.astimezone(self.tz).date()).days + 1
        if self.daily_instant(sweep, today) > now:
            count -= 1
        return count

    def is_due(self, sweep: Sweep, last: dt.datetime | None, now: dt.datetime) -> bool:
        """Whether the sweep should run at ``now``: an interval sweep once its interval has
        elapsed, a daily one once its time has passed since its last run. A sweep that never
        ran is due at once (interval) or from today's time on (daily)."""
        if last is None:
            if sweep.daily_at is None:
                return True
            return self.daily_instant(sweep, now.astimezone(self.tz).date()) <= now
        return self.missed(sweep, last, now) >= 1

    def next_interval_run(
        self, sweep: Sweep, last: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime:
        """When an interval sweep next fires: one interval after its last run, not before now."""
        interval = self.interval(sweep)
        assert interval is not None
        if last is None:
            return now
        return max(now, last + interval)

    def describe(self, sweep: Sweep) -> str:
        """The timetable in words, in the current language."""
        if sweep.daily_at is not None:
            return _(
                "Daily at %(time)s (%(zone)s)",
                time=sweep.daily_at.strftime("%H:%M"),
                zone=str(self.tz),
            )
        seconds = sweep.every_seconds or self.default_seconds
        if seconds % 3600 == 0:
            return ngettext("Every hour", "Every %(num)d hours", seconds // 3600)
        if seconds % 60 == 0:
            return ngettext("Every minute", "Every %(num)d minutes", seconds // 60)
        return ngettext("Every second", "Every %(num)d seconds", seconds)
