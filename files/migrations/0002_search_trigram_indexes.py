from django.db import migrations

from portal.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("files", "0001_initial")]

    operations = trigram_indexes(("files_document", "title"), ("files_document", "description"),
                                 ("files_storedfile", "original_name"))
