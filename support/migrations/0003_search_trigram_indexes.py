from django.db import migrations

from portal.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("support", "0002_ticket_list_order_index")]

    operations = trigram_indexes(("support_ticket", "subject"), ("support_ticket", "number"))
