"""A set of language codes in one column, asked about one code at a time."""

from django.db import models


class LanguageCodesField(models.JSONField):
    """Language codes as a JSON list (["ru"]); `field__includes="ru"` is true for that code
    alone, never for a code that merely contains its letters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)


@LanguageCodesField.register_lookup
class Includes(models.Lookup):
    """An element of the list equals the code (not a substring of the stored text)."""

    lookup_name = "includes"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [value]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = (*lhs_params, *rhs_params)
        if connection.vendor == "postgresql":
            # jsonb's `?`: a top-level array element equal to the text.
            return f"({lhs})::jsonb ? {rhs}", params
        # lhs is the compiled column and rhs a placeholder: no value is spliced into the SQL.
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})"  # noqa: S608
        return sql, params
