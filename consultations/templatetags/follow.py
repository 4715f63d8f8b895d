"""`{% follow_button commitment %}`: follow or unfollow a proposal/commitment (emails about new comments).

A small POST form that works without JavaScript and comes back to the same page; for a visitor who is
not signed in, a link to sign in. One query for a signed-in person (none when the caller passes
`following`, as the forum thread does from its own query), none otherwise.
"""

from django import template

from consultations import notifications

register = template.Library()


@register.inclusion_tag("consultations/data/_follow_button.html", takes_context=True)
def follow_button(context, commitment, following=None) -> dict:
    """`following`: whether the person follows it, when the caller already knows (no query then)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    if signed_in and following is None:
        following = notifications.follows(user=user, commitment=commitment)
    return {
        "commitment": commitment,
        "signed_in": signed_in,
        "following": signed_in and bool(following),
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }
