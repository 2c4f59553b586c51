"""SiteSettings moves from `articles` to `sitewide`, keeping its row, its content type (so its
permissions and the Editors' right to change it) and its reversion history."""

from django.db import migrations, models


def move_content_type(apps, schema_editor, source="articles", target="sitewide"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    moving = ContentType.objects.filter(app_label=source, model="sitesettings")
    if moving.exists():
        # One made by an earlier run of this migration's target holds no grants worth keeping.
        ContentType.objects.filter(app_label=target, model="sitesettings").delete()
        moving.update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="sitewide", target="articles")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("articles", "0008_merge_i13_i14_i15"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # The table exists already: take it over in the state only, then give it this app's name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SiteSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(default='Engineering insights', max_length=80, verbose_name='site name')),
                        ('name_en', models.CharField(default='Engineering insights', max_length=80, null=True, verbose_name='site name')),
                        ('name_ru', models.CharField(default='Engineering insights', max_length=80, null=True, verbose_name='site name')),
                        ('tagline', models.CharField(default='Practical write-ups on building, running and scaling software systems.', max_length=200, verbose_name='tagline')),
                        ('tagline_en', models.CharField(default='Practical write-ups on building, running and scaling software systems.', max_length=200, null=True, verbose_name='tagline')),
                        ('tagline_ru', models.CharField(default='Practical write-ups on building, running and scaling software systems.', max_length=200, null=True, verbose_name='tagline')),
                        ('newsletter_heading', models.CharField(default='Stay ahead', max_length=80, verbose_name='newsletter heading')),
                        ('newsletter_heading_en', models.CharField(default='Stay ahead', max_length=80, null=True, verbose_name='newsletter heading')),
                        ('newsletter_heading_ru', models.CharField(default='Stay ahead', max_length=80, null=True, verbose_name='newsletter heading')),
                        ('newsletter_pitch', models.CharField(default='Weekly deep dives into how software systems are built, run and scaled.', max_length=300, verbose_name='newsletter pitch')),
                        ('newsletter_pitch_en', models.CharField(default='Weekly deep dives into how software systems are built, run and scaled.', max_length=300, null=True, verbose_name='newsletter pitch')),
                        ('newsletter_pitch_ru', models.CharField(default='Weekly deep dives into how software systems are built, run and scaled.', max_length=300, null=True, verbose_name='newsletter pitch')),
                    ],
                    options={
                        'verbose_name': 'site settings',
                        'verbose_name_plural': 'site settings',
                        'db_table': 'articles_sitesettings',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="sitesettings", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
