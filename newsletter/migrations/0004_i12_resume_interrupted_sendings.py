"""Sendings left "sending" before this release have no task to carry them on: queue one.

From now on a sending always has a task queued for it (see newsletter/sending.py).
"""

from django.db import migrations
from django.utils import timezone


def resume_interrupted_sendings(apps, schema_editor):
    # The live task API, as a worker would queue it; the task table is migrated already.
    from newsletter.sending import new_turn
    from newsletter.tasks import queue_turn

    Issue = apps.get_model("newsletter", "Issue")
    for issue in Issue.objects.filter(status="sending"):
        issue.turn = new_turn()
        issue.save(update_fields=["turn"])
        queue_turn(issue.pk, issue.turn, timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("newsletter", "0003_i12_editors_send"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(resume_interrupted_sendings, migrations.RunPython.noop)]
