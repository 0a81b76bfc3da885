"""Financial documents (payment statements, account summaries) are shown only to members who see
invoices: the same right as /facturi/. Staff change or remove the rule in admin ("Acces pe categorie")."""

from django.db import migrations

DEFAULT_RULES = {"financiar": "billing"}


def create_rules(apps, schema_editor):
    CategoryAccess = apps.get_model("files", "CategoryAccess")
    for category, right in DEFAULT_RULES.items():
        # A rule staff already set is theirs: never overwritten.
        CategoryAccess.objects.get_or_create(category=category, defaults={"required_right": right})


def remove_rules(apps, schema_editor):
    CategoryAccess = apps.get_model("files", "CategoryAccess")
    for category, right in DEFAULT_RULES.items():
        CategoryAccess.objects.filter(category=category, required_right=right).delete()


class Migration(migrations.Migration):
    dependencies = [("files", "0003_category_access")]

    operations = [migrations.RunPython(create_rules, remove_rules)]
