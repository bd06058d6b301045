from django import template

from zhichi.employers.references import ref_for

register = template.Library()


@register.filter
def employer_ref(value) -> str:
    """An employer page's path segment from a Party or a credit code (rule ID-3)."""
    if hasattr(value, "credit_code"):
        return ref_for(value.credit_code, value.pk)
    return ref_for(str(value or ""))
