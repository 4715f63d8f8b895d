"""django-allauth's own messages that its Spanish catalogue says with "tú": Co-crea speaks "usted", so
locale/es/LC_MESSAGES/django.po translates them again (LOCALE_PATHS comes before an app's catalogue).

Listed here only so that `makemessages` keeps their entries. Messages of the allauth features Co-crea
does not turn on (phone numbers, passkeys, social accounts, identity provider) are left out;
tests/paga/test_spanish_voice.py checks every other one.
"""

from django.utils.translation import gettext_noop

ALLAUTH_MESSAGES_IN_USTED = (
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("Send me a sign-in code"),
    gettext_noop("Use authenticator app or code"),
    gettext_noop("You cannot generate recovery codes without having two-factor authentication enabled."),
    gettext_noop("Enter Email Verification Code"),
    gettext_noop("Enter Password Reset Code"),
    gettext_noop("Your email has been changed from %(from_email)s to %(to_email)s."),
    gettext_noop(
        "You're receiving this email because user %(user_display)s has given your email address to "
        "register an account on %(site_domain)s."
    ),
    gettext_noop(
        "Your email verification code is listed below. Please enter it in your open browser window."
    ),
    gettext_noop("Email address %(deleted_email)s has been removed from your account."),
    gettext_noop(
        "You currently do not have any email address set up. You should really add an email address so you "
        "can receive notifications, reset your password, etc."
    ),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup "
        "process. If you do not see the verification email in your main inbox, check your spam folder. "
        "Please contact us if you do not receive the verification email within a few minutes."
    ),
    gettext_noop(
        '<strong>Note:</strong> you can still <a href="%(email_url)s">change your email address</a>.'
    ),
    gettext_noop("Save them  in a secure location now — they won't be shown again."),
    gettext_noop("Download codes"),
    gettext_noop(
        "If you choose to trust this browser, you will not be asked for a verification code the next time "
        "you sign in."
    ),
)
