"""One audit entry per API call: which integration, what it called, from where, and the answer's status.

The objects a call changes are audited by the services it runs (with the integration's name); this entry
is the call itself, so reads and refused writes are in the log too."""

from portal import audit


class ApiCallAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        integration = getattr(request, "integration", None)
        if integration is not None:
            audit.record(
                action="api.call",
                obj=integration,
                integration=integration.name,
                method=request.method,
                path=request.path[:200],
                status=response.status_code,
            )
        return response
