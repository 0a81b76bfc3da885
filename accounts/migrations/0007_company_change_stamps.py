from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_verbose_names_ro")]

    operations = [
        migrations.AddField(
            model_name="company", name="data_stamp", field=models.BigIntegerField(default=0, editable=False)
        ),
        migrations.AddField(
            model_name="company", name="documents_stamp", field=models.BigIntegerField(default=0, editable=False)
        ),
    ]
