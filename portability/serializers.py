"""Django's JSON serialisation with times to the microsecond (its encoder cuts them to
milliseconds), so a restored article carries exactly the time it had: pages print it."""

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder

FORMAT = "exactjson"


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactEncoder)
        super()._init_options()


Deserializer = django_json.Deserializer
