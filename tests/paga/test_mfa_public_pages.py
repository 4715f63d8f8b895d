"""A staff member who has not set up two-step verification sees public pages as a citizen does (issue
12): their roles grant nothing until then (paga/rules.py, paga/staff_security.py `two_step_ready`), so
a stolen password reaches no unpublished draft at its public address and no text hidden by moderation.
Once the authenticator app is set up, the same pages show what the role may see."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.test import Client
from django.urls import reverse

from commitments.models import Commitment, Status
from consultations import services
from paga import roles, staff_security
from tests.commitments.factories import CommitmentFactory, ministry
from tests.consultations.factories import ConsultationFactory, comment
from tests.factories import TOTP_SECRET, UserFactory

pytestmark = pytest.mark.django_db

HIDDEN_TEXT = "Texto retirado por moderación «datos de Ñahui»"
DRAFT_TITLE = "Borrador «Agua segura» sin publicar"


def staff_without_app(who: str):
    return {
        "Secretaría": lambda: UserFactory(
            groups=[roles.SECRETARIAT, roles.CITIZEN], is_staff=True, authenticator_app=False
        ),
        "reviewer of the lead entity": lambda: UserFactory(
            groups=[roles.REVIEWER, roles.CITIZEN], entity=ministry("MINAM"), authenticator_app=False
        ),
        "administrator": lambda: UserFactory(
            groups=[roles.ADMINISTRATOR, roles.CITIZEN],
            is_staff=True,
            is_superuser=True,
            authenticator_app=False,
        ),
        "superuser only": lambda: UserFactory(is_superuser=True, authenticator_app=False),
    }[who]()


@pytest.fixture
def unpublished(secretariat):
    """A draft commitment (a proposal) of MINAM, and a comment hidden by moderation on a public one."""
    draft = CommitmentFactory(title=DRAFT_TITLE, status=Status.PROPOSED, lead_entity=ministry("MINAM"))
    public = CommitmentFactory(status=Status.IN_CONSULTATION)
    consultation = ConsultationFactory(items=[public])
    hidden = comment(consultation=consultation, author=UserFactory(), commitment=public, text=HIDDEN_TEXT)
    services.hide(contribution=hidden, actor=secretariat, reason="Datos personales")
    return draft, public


def pages(client: Client, draft: Commitment, public: Commitment) -> dict[str, tuple[int, str]]:
    found = {}
    for name, url in {
        "draft": draft.get_absolute_url(),
        "draft history": reverse("commitments:diff", kwargs={"key": draft.slug}),
        "list": reverse("commitments:list"),
        "public commitment": public.get_absolute_url(),
    }.items():
        response = client.get(url)
        found[name] = (response.status_code, response.content.decode())
    return found


def signed_in(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "who", ["Secretaría", "reviewer of the lead entity", "administrator", "superuser only"]
)
def test_staff_without_an_app_see_public_pages_as_a_citizen(who, unpublished):
    draft, public = unpublished
    user = staff_without_app(who)

    seen = pages(signed_in(user), draft, public)
    as_citizen = pages(signed_in(UserFactory(groups=[roles.CITIZEN])), draft, public)

    assert seen["draft"][0] == seen["draft history"][0] == 404
    assert DRAFT_TITLE not in seen["list"][1]
    assert seen["public commitment"][0] == 200
    assert HIDDEN_TEXT not in seen["public commitment"][1]
    assert {name: status for name, (status, _) in seen.items()} == {
        name: status for name, (status, _) in as_citizen.items()
    }
    assert not staff_security.note_two_step(user, {}).has_perm("commitments.view_commitment", draft)

    # With the authenticator app set up, the role's view comes back (the same pages, a new sign-in).
    TOTP.activate(user, TOTP_SECRET)
    user = type(user).objects.get(pk=user.pk)
    seen = pages(signed_in(user), draft, public)
    assert seen["draft"][0] == 200
    assert DRAFT_TITLE in seen["draft"][1]
    if who != "reviewer of the lead entity":  # moderation's hidden texts are for the Secretaría
        assert HIDDEN_TEXT in seen["public commitment"][1]


def test_setting_up_the_app_in_the_session_opens_the_drafts_at_once(unpublished):
    """The session notes the app when it is added, so the next public page already shows the draft;
    removing it closes them again."""
    draft, _public = unpublished
    user = staff_without_app("Secretaría")
    client = signed_in(user)
    assert client.get(draft.get_absolute_url()).status_code == 404

    TOTP.activate(user, TOTP_SECRET)  # (through allauth's page in real life; the next request looks)
    assert client.get(draft.get_absolute_url()).status_code == 200

    Authenticator.objects.filter(user=user).delete()
    client = signed_in(type(user).objects.get(pk=user.pk))
    assert client.get(draft.get_absolute_url()).status_code == 404
