"""Who may see and do what in consultations: the one place for `consultations`.

Everyone sees visible contributions; the text of a hidden one only its author and staff (the public
sees "hidden by moderation: <reason>"). Commenting needs an account with a verified email and no active
block; flagging and supporting, an account. Moderation, other channels and responses are the
Secretaría's (and administrators').
"""

import rules

from paga.personal_data import verified_addresses, withdrew_consent  # taking part: that consent
from paga.rules import is_administrator, is_secretariat

is_staff = is_secretariat | is_administrator


@rules.predicate
def is_signed_in(user) -> bool:
    return user is not None and user.is_authenticated


@rules.predicate
def has_verified_email(user) -> bool:
    """allauth's verification: at least one of the person's addresses is confirmed."""
    return bool(verified_addresses(user))


@rules.predicate
def is_blocked(user) -> bool:
    """An active block (not lifted) refuses the person's new posts."""
    return user.blocks.filter(lifted__isnull=True).exists()


@rules.predicate
def is_visible(user, contribution) -> bool:
    return contribution is not None and not contribution.is_hidden


@rules.predicate
def wrote_it(user, contribution) -> bool:
    return (
        contribution is not None and contribution.author_id is not None and contribution.author_id == user.pk
    )


rules.add_perm("consultations.view_contribution", is_visible | (is_signed_in & (wrote_it | is_staff)))
rules.add_perm("consultations.comment", is_signed_in & has_verified_email & ~is_blocked & ~withdrew_consent)
rules.add_perm("consultations.flag", is_signed_in & ~withdrew_consent)
rules.add_perm("consultations.support", is_signed_in & ~withdrew_consent)
rules.add_perm("consultations.moderate", is_staff)
rules.add_perm("consultations.record_other_channel", is_staff)
rules.add_perm("consultations.respond", is_staff)

# The back office (consultations/admin.py): a consultation, its paragraphs and the response templates are
# configuration the Secretaría keeps; deleting is for administrators (contributions protect their rows).
rules.add_perm("consultations", is_staff)  # the app on the admin's index
for model in ("consultation", "paragraph", "responsetemplate"):
    rules.add_perm(f"consultations.view_{model}", is_staff)
    rules.add_perm(f"consultations.add_{model}", is_staff)
    rules.add_perm(f"consultations.change_{model}", is_staff)
    rules.add_perm(f"consultations.delete_{model}", is_administrator)
