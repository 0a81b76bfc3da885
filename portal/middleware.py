class RomanianByDefaultMiddleware:
    """The portal speaks Romanian unless the user picked English (cookie or profile).

    A browser set to English is common among Romanian office staff; it must not switch the
    portal's language on its own, so Accept-Language is ignored before LocaleMiddleware runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
