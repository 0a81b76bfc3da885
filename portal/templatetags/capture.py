"""``{% capture as name %}…{% endcapture %}``: renders its content into a context variable instead of the page.

For a layout that draws markup around a block only when a child template filled it: the list page's heading
wraps the h1 and the action buttons in a flex row only when there are buttons (templates/portal/_list_page.html).
Blocks inside the capture are overridden by child templates as anywhere else.
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str):
        self.nodelist, self.name = nodelist, name

    def render(self, context) -> str:
        # Rendered template output: already escaped where it had to be.
        context[self.name] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        return ""


@register.tag
def capture(parser, token) -> CaptureNode:
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
