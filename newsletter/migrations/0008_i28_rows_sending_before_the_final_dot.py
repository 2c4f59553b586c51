"""Rows left "being sent" by a worker of an earlier release: unknown, as that release said.

Before this release "being sent" covered the whole SMTP conversation, the final dot included;
from now on it means "before the dot" and is sent again after a crash. A row an older worker
left in it may have had its dot sent, so it becomes "unknown" (its worker, if still alive,
records the answer over it: the claim is kept).
"""

from django.db import migrations


def old_conversations_are_unknown(apps, schema_editor):
    Delivery = apps.get_model("newsletter", "Delivery")
    Delivery.objects.filter(status="sending").update(status="unknown")


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0007_i28_final_dot")]

    operations = [migrations.RunPython(old_conversations_are_unknown, migrations.RunPython.noop)]
