"""Where a page's time goes, in-process: `python -m bench.profile [name-fragment …] [--pyinstrument]`.

For each benchmark page (or those whose name contains a fragment): the mean wall time of 20 requests
through Django's test client as the large client's user, the part of it spent in SQL, and the query
count. With --pyinstrument, prints a profile of the first matching page (pip install pyinstrument).
Run with DJANGO_SETTINGS_MODULE=bench.settings on the seeded bench database, like `make bench`.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from bench import seed  # noqa: E402
from bench.run import client_for, collect_static, pages_for  # noqa: E402

REPEAT = 20


class SqlTimer:
    def __init__(self):
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def main(argv: list[str]) -> None:
    use_pyinstrument = "--pyinstrument" in argv
    fragments = [arg for arg in argv if not arg.startswith("--")]

    user = User.objects.get(email=seed.LARGE_EMAIL)
    company = user.memberships.get().company
    pages = [
        (name, path)
        for name, path in pages_for(company)
        if not fragments or any(fragment.lower() in name.lower() for fragment in fragments)
    ]
    collect_static()
    client = client_for(user)
    print(f"{'page':40} {'ms':>7} {'sql ms':>7} {'queries':>7} {'KB':>6}")
    for name, path in pages:
        client.get(path)
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            for _ in range(REPEAT):
                response = client.get(path)
            elapsed = (time.perf_counter() - start) / REPEAT
        print(
            f"{name:40} {elapsed * 1000:7.1f} {timer.seconds / REPEAT * 1000:7.1f} "
            f"{timer.count / REPEAT:7.0f} {len(response.content) / 1024:6.0f}"
        )
    if use_pyinstrument and pages:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(REPEAT):
                client.get(pages[0][1])
        print(profiler.output_text(unicode=True, color=False, show_all="--all" in argv))


if __name__ == "__main__":
    main(sys.argv[1:])
