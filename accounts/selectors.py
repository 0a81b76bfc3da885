"""Reads about a company's members for the pages above accounts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from portal.summaries import Summary


def dashboard_summary(company, membership, *, today=None) -> Summary:
    """The members' activity the dashboard's feed shows: an approval only to those who manage members."""
    feed = {"invitation.accepted": gettext_lazy("s-a alăturat companiei:")}
    if membership.has_right("manage_members"):
        feed["membership.approved"] = gettext_lazy("a aprobat accesul pentru")
    return Summary(feed=feed)
