from unittest import mock

import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import RequestFactory

from accounts.models import Membership
from accounts.tests.factories import CompanyFactory, MembershipFactory
from portal import audit
from portal.models import AuditEntry, Notification, OutboundEmail
from portal.notifications import notify, render_email, send_once, send_to_user_once

TRICKY_NAME = "O'Brien & Fiii <SRL>"


@pytest.fixture
def probe_templates(settings, tmp_path):
    """An email template that prints the language it is rendered in."""
    emails = tmp_path / "emails"
    emails.mkdir()
    probe = "{% load i18n %}{% get_current_language as lang %}"
    (emails / "probe_subject.txt").write_text(probe + "Limba {{ lang }}")
    (emails / "probe_body.txt").write_text(probe + "text:{{ lang }}:{{ name }}")
    (emails / "probe_body.html").write_text(probe + "<p>html:{{ lang }}:{{ name }}</p>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]


@pytest.fixture
def approved(db):
    membership = MembershipFactory(
        company=CompanyFactory(name=TRICKY_NAME), user__email="ion@obrien.ro", user__first_name="Ion"
    )
    assert membership.status == Membership.Status.ACTIVE
    return membership


def approved_context(membership):
    return {"membership": membership, "login_url": "https://portal.example.ro/cont/login/"}


@pytest.mark.django_db
def test_send_once_sends_once_per_key(approved, mailoutbox):
    kwargs = {
        "key": "test:1",
        "to": "ion@obrien.ro",
        "template": "membership_approved",
        "context": {"user": approved.user, **approved_context(approved)},
    }

    assert send_once(**kwargs) is True
    assert send_once(**kwargs) is False

    assert len(mailoutbox) == 1
    record = OutboundEmail.objects.get(key="test:1")
    assert record.sent_at is not None
    assert record.to == "ion@obrien.ro"
    assert record.subject == mailoutbox[0].subject
    # Another key is another email.
    assert send_once(**{**kwargs, "key": "test:2"}) is True
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_a_failed_send_is_not_recorded_and_a_retry_sends(approved, mailoutbox):
    kwargs = {
        "key": "retry:1",
        "to": "ion@obrien.ro",
        "template": "membership_approved",
        "context": {"user": approved.user, **approved_context(approved)},
    }
    with (
        mock.patch.object(EmailMultiAlternatives, "send", side_effect=ConnectionError("SMTP down")),
        pytest.raises(ConnectionError),
    ):
        send_once(**kwargs)
    assert not OutboundEmail.objects.filter(key="retry:1", sent_at__isnull=False).exists()

    assert send_once(**kwargs) is True
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_message_parts(approved, mailoutbox, settings):
    send_to_user_once(
        key="parts", user=approved.user, template="membership_approved", context=approved_context(approved)
    )

    message = mailoutbox[0]
    assert message.to == ["ion@obrien.ro"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    assert "\n" not in message.subject
    assert "Bună ziua, Ion," in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert html.lstrip().startswith("<!doctype html>")
    assert "https://portal.example.ro/cont/login/" in html
    assert OutboundEmail.objects.get().key == f"parts:user:{approved.user.pk}"


@pytest.mark.django_db
def test_plain_text_is_not_html_escaped_but_html_is(approved, mailoutbox):
    send_to_user_once(
        key="escape", user=approved.user, template="membership_approved", context=approved_context(approved)
    )

    message = mailoutbox[0]
    assert TRICKY_NAME in message.subject
    assert TRICKY_NAME in message.body
    assert "&amp;" not in message.body
    assert "&#x27;" not in message.body
    html = message.alternatives[0][0]
    assert "O&#x27;Brien &amp; Fiii &lt;SRL&gt;" in html
    assert TRICKY_NAME not in html


@pytest.mark.django_db
def test_email_is_rendered_in_the_recipient_language(probe_templates, mailoutbox):
    send_once(key="lang:en", to="a@b.ro", template="probe", context={"name": "A & B"}, language="en")
    send_once(key="lang:default", to="a@b.ro", template="probe", context={"name": "A & B"})

    english, default = mailoutbox
    assert english.subject == "[Portal clienți] Limba en"
    assert english.body == "text:en:A & B"
    assert english.alternatives[0][0] == "<p>html:en:A &amp; B</p>"
    assert default.subject == "[Portal clienți] Limba ro"
    assert default.body == "text:ro:A & B"


@pytest.mark.django_db
def test_send_to_user_once_uses_the_user_language(probe_templates, mailoutbox, member_a):
    member_a.language = "en"
    member_a.save()

    send_to_user_once(key="user-lang", user=member_a, template="probe", context={"name": "x"})

    assert mailoutbox[0].body == "text:en:x"
    assert mailoutbox[0].to == [member_a.email]


def test_render_email_restores_the_active_language(probe_templates):
    from django.utils import translation

    with translation.override("ro"):
        subject, text, _html = render_email("probe", {"name": "x"}, "en")
        assert translation.get_language() == "ro"
    assert text == "text:en:x"
    assert subject.endswith("Limba en")


@pytest.mark.django_db
def test_notify_creates_an_in_app_notification(member_a, company_a):
    notification = notify(
        user=member_a,
        company=company_a,
        kind="offer.sent",
        message="document.new",
        params={"title": "x" * 300},
        url="/oferte/",
    )
    assert Notification.objects.get() == notification
    assert (notification.user, notification.company, notification.kind) == (member_a, company_a, "offer.sent")
    assert (notification.message, notification.params) == ("document.new", {"title": "x" * 300})
    # The Romanian text at creation, cut to the column (searched in the admin).
    assert notification.title == ("Document nou: " + "x" * 300)[:200]
    assert notification.read_at is None


@pytest.mark.django_db
def test_audit_record_stores_who_where_and_what(member_a, company_a):
    membership = Membership.objects.get(user=member_a)

    with audit.request_ip_bound("203.0.113.7"):
        entry = audit.record(
            action="membership.updated",
            company=company_a,
            user=member_a,
            obj=membership,
            before={"role": "member"},
        )

    entry.refresh_from_db()
    assert entry.action == "membership.updated"
    assert (entry.company, entry.user, entry.ip) == (company_a, member_a, "203.0.113.7")
    assert entry.object_type == "accounts.membership"
    assert entry.object_id == str(membership.public_id)
    assert entry.object_repr == str(membership)
    assert entry.data == {"before": {"role": "member"}}
    assert entry.created_at is not None


@pytest.mark.django_db
def test_audit_record_without_user_or_object(member_a):
    from django.contrib.auth.models import AnonymousUser

    entry = audit.record(action="system.cleanup", user=AnonymousUser())
    assert (entry.company, entry.user, entry.ip) == (None, None, None)
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("", "", "")

    # An object without public_id is identified by its primary key.
    entry = audit.record(action="user.seen", obj=member_a)
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(member_a.pk)


@pytest.mark.django_db
def test_audit_entries_are_scoped_by_company(company_a, company_b):
    audit.record(action="a", company=company_a)
    audit.record(action="b", company=company_b)
    assert list(AuditEntry.objects.for_company(company_a).values_list("action", flat=True)) == ["a"]
    assert not AuditEntry.objects.for_company(None).exists()


@pytest.mark.parametrize(
    ("behind_proxy", "meta", "expected"),
    [
        # Behind our proxy: the right-most entry is the one the proxy appended.
        (True, {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 203.0.113.7", "REMOTE_ADDR": "10.0.0.2"}, "203.0.113.7"),
        (True, {"HTTP_X_FORWARDED_FOR": " 2001:db8::1 ", "REMOTE_ADDR": "10.0.0.2"}, "2001:db8::1"),
        (True, {"HTTP_X_FORWARDED_FOR": "", "REMOTE_ADDR": "198.51.100.4"}, "198.51.100.4"),
        (True, {"HTTP_X_FORWARDED_FOR": "unknown", "REMOTE_ADDR": "10.0.0.2"}, None),
        (True, {"HTTP_X_FORWARDED_FOR": "1.2.3.4, not-an-ip", "REMOTE_ADDR": "10.0.0.2"}, None),
        (True, {"HTTP_X_FORWARDED_FOR": "203.0.113.7:51234", "REMOTE_ADDR": "10.0.0.2"}, "203.0.113.7"),
        # Not behind a proxy: the header is the client's own words and is ignored.
        (False, {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "REMOTE_ADDR": "198.51.100.4"}, "198.51.100.4"),
        (False, {"REMOTE_ADDR": "198.51.100.4"}, "198.51.100.4"),
        (False, {"REMOTE_ADDR": ""}, None),
    ],
)
def test_client_ip(settings, behind_proxy, meta, expected):
    # What portal/settings.py derives from BEHIND_PROXY (tests/test_proxy.py checks the derivation).
    settings.BEHIND_PROXY = behind_proxy
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1 if behind_proxy else 0
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    request.META.update(meta)
    assert audit.client_ip(request) == expected
