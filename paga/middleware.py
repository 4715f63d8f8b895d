from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class SpanishFirstLocaleMiddleware(MiddlewareMixin):
    """Spanish unless the visitor chose another language with the switcher (its cookie).

    The browser's Accept-Language is not followed: the portal is Spanish first, and URLs carry no
    language prefix.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
