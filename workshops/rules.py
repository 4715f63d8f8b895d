"""Who may see and do what in workshops: the one place for `workshops`.

Events, documents, decisions, the forum and participation counts are public. Anyone may register for an
event open for registration (by email, or signed in); a registration is managed through its secret link
or by its signed-in owner. Running events (creating, editing, state changes), attendance, documents,
outcomes, decisions and the forum are the Secretaría's (and administrators'). Names of who registered or
came are seen only by staff.
"""

import rules

from paga.rules import is_administrator, is_secretariat

is_staff = is_secretariat | is_administrator


@rules.predicate
def owns_registration(user, registration) -> bool:
    return (
        registration is not None
        and registration.user_id is not None
        and getattr(user, "pk", None) == registration.user_id
    )


rules.add_perm("workshops.manage_events", is_staff)
rules.add_perm("workshops.view_registrations", is_staff)
rules.add_perm("workshops.record_attendance", is_staff)
rules.add_perm("workshops.upload_document", is_staff)
rules.add_perm("workshops.record_outcomes", is_staff)
rules.add_perm("workshops.record_decision", is_staff)
rules.add_perm("workshops.manage_forum", is_staff)
rules.add_perm("workshops.cancel_registration", owns_registration | is_staff)

# The back office (workshops/admin.py): configuration the Secretaría keeps; deleting is for
# administrators (registrations, attendance and inputs protect their rows).
rules.add_perm("workshops", is_staff)
for model in ("event", "document", "forum", "forummember", "tabledecision"):
    rules.add_perm(f"workshops.view_{model}", is_staff)
    rules.add_perm(f"workshops.add_{model}", is_staff)
    rules.add_perm(f"workshops.change_{model}", is_staff)
    rules.add_perm(f"workshops.delete_{model}", is_administrator)
for model in ("registration", "attendance", "eventinput", "eventtransition"):
    rules.add_perm(f"workshops.view_{model}", is_staff)
