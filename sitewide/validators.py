"""Text that every output can carry: pages, feeds (XML 1.0), JSON, e-mail headers."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# Characters XML 1.0 cannot carry; tab, line feed and carriage return are ordinary text.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def no_control_characters(value):
    found = NOT_XML.search(value or "")
    if found:
        raise ValidationError(
            _(
                "This text holds an invisible control character (U+%(code)04X), often pasted "
                "from another program by accident; remove it and save again."
            ),
            code="control_character",
            params={"code": ord(found.group())},
        )


def refuse_control_characters(field):
    """A form field refuses every control character, with one message: Django's own check
    for NUL alone goes, since it would say the same thing a second time in other words."""
    field.validators = [
        *(v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)),
        no_control_characters,
    ]
    return field
