"""PostgreSQL: the GIN index on `search_vector` takes each write at once.

With GIN's default `fastupdate`, new entries wait in a pending list that
every search reads in full until a vacuum (or 4 MB of writes) merges it. A
library is read far more often than written (one recipe per upload), and a
library just written in bulk (an import, the benchmark) made PostgreSQL
read every recipe for a search (5.7 ms at 5,000) instead of the matches
from the index (1.8 ms). SQLite has no GIN index: nothing to do there.
"""

from django.db import migrations


def _pending_list(enabled: bool):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER INDEX recipe_search_vector SET (fastupdate = {'on' if enabled else 'off'})")

    return alter


class Migration(migrations.Migration):
    dependencies = [
        ("recipes", "0007_list_times_as_columns"),
    ]

    operations = [
        migrations.RunPython(_pending_list(False), _pending_list(True)),
    ]
