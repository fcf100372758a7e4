"""Block components and form-widget helpers shared by every template.

A block component is a tag pair that wraps the markup between its two tags in a partial
(`{% table_wrapper class="fr-table--sm" %}<table>…</table>{% endtable_wrapper %}`), so that
DSFR's nested boilerplate is written once, in templates/components/. The partial sees only
its parameters and `children` (the markup between the tags). `column_headers` writes a row of
column headers from their labels.

`field_widget` and `error_id` put the DSFR attributes on a form field's widget (its class, and
with errors `aria-invalid` and `aria-describedby` pointing at `<id>-error`, the one id of a
field's messages), for templates/partials/form_field.html and form_control.html.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.template.base import token_kwargs
from django.utils.html import format_html_join

register = template.Library()


class ComponentNode(template.Node):
    """Renders `template_name` with the tag's parameters and the enclosed markup."""

    def __init__(self, template_name: str, parameters: dict, nodelist: template.NodeList):
        self.template_name = template_name
        self.parameters = parameters
        self.nodelist = nodelist

    def render(self, context) -> str:
        values = {name: value.resolve(context) for name, value in self.parameters.items()}
        values["children"] = self.nodelist.render(context)
        # The partial's own {% csrf_token %} needs the page's token.
        values.setdefault("csrf_token", context.get("csrf_token"))
        partial = context.template.engine.get_template(self.template_name)
        return partial.render(context.new(values))


def block_component(name: str, template_name: str) -> None:
    """Registers `{% name key=value … %}…{% endname %}`, rendered by `template_name`."""

    def compile_component(parser, token) -> ComponentNode:
        bits = token.split_contents()[1:]
        parameters = token_kwargs(bits, parser)
        if bits:
            raise template.TemplateSyntaxError(f"{name} takes only key=value parameters")
        nodelist = parser.parse((f"end{name}",))
        parser.delete_first_token()
        return ComponentNode(template_name, parameters, nodelist)

    register.tag(name, compile_component)


# A table in DSFR's scrolling wrapper; `class`: modifiers of the wrapper, `id`: its id.
block_component("table_wrapper", "components/table_wrapper.html")
# An edit form posted in place by HTMX, with its errors; `url`, `target`, `form`, `class`.
block_component("edit_form", "components/edit_form.html")
# An edit form folded in a DSFR accordion (on <details>, so it opens without JavaScript), open
# when it has errors or after a conflict; `summary`, `form`, `focus_id`, `open`, `class`.
block_component("form_disclosure", "components/form_disclosure.html")


@register.simple_tag
def column_headers(*labels) -> str:
    """Column header cells, one per label: `{% column_headers _("Code") _("Action") %}`."""
    return format_html_join("", '<th scope="col">{}</th>', ((label,) for label in labels))


@register.filter
def error_id(field: BoundField) -> str:
    """The id of the paragraph that holds a field's error messages."""
    return f"{field.auto_id}-error"


@register.simple_tag
def field_widget(field: BoundField, control: str = "") -> str:
    """The field's widget with the DSFR class `control` (and `control--error` when the field has
    errors), linked to its error messages for screen readers."""
    attrs = {}
    if control:
        attrs["class"] = f"{control} {control}--error" if field.errors else control
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = error_id(field)
    return field.as_widget(attrs=attrs)
