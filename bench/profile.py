"""Where a page's time goes, in-process: `python -m bench.profile [name-fragment …] [--pyinstrument]`.

For each benchmark page (or those whose name contains a fragment): the mean wall time of 20 requests
through Django's test client as the large client's user, the part of it spent in SQL, and the query
count. With --pyinstrument, prints a profile of the first matching page (pip install pyinstrument).
Run with DJANGO_SETTINGS_MODULE=bench.settings on the seeded bench database, like `make bench`.

`python -m bench.profile --push [--invoices N] [--pyinstrument]`: the ERP API's bulk push instead
(bench/erp_push.py's payloads, N invoices of 5 lines, default 200), in-process: created, then the same
batch again (unchanged); per invoice the wall time, the SQL time and queries, and the statements that take
the most time; with --pyinstrument the profile of each.
"""

import json
import os
import re
import sys
import time
from collections import defaultdict

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from bench import seed  # noqa: E402
from bench.run import client_for, collect_static, pages_for  # noqa: E402

REPEAT = 20


class SqlTimer:
    def __init__(self):
        self.seconds = 0.0
        self.count = 0
        self.statements = defaultdict(lambda: [0, 0.0])  # the statement's shape: [count, seconds]

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.seconds += elapsed
            self.count += 1
            shape = self.statements[_shape(sql)]
            shape[0] += 1
            shape[1] += elapsed


def _shape(sql: str) -> str:
    """The statement without its column list and its values: what kind of query it is, on which table."""
    sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql, count=1, flags=re.S)
    sql = re.sub(r"\(%s(, %s)*\)", "(…)", sql)
    sql = re.sub(r"VALUES .*", "VALUES …", sql, flags=re.S)
    sql = re.sub(r'SAVEPOINT "\w+"', "SAVEPOINT …", sql)
    return re.sub(r"\s+", " ", sql)[:150]


def profile_push(argv: list[str]) -> None:
    """The bulk push in-process, created then unchanged: where each invoice's time goes."""
    from bench import erp_push
    from portal.celery import app

    size = int(argv[argv.index("--invoices") + 1]) if "--invoices" in argv else 200
    company = erp_push.company()
    erp_push.reset(company)
    token = erp_push.key()
    body = json.loads(erp_push.payloads(company)[0])
    body["invoices"] = body["invoices"][:size]
    data = json.dumps(body)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    for expected in ("created", "unchanged"):
        timer = SqlTimer()
        profiler = _profiler(argv)
        with connection.execute_wrapper(timer):
            if profiler:
                profiler.start()
            start = time.perf_counter()
            response = client.post(erp_push.BULK, data, content_type="application/json")
            elapsed = time.perf_counter() - start
            if profiler:
                profiler.stop()
        results = {result["result"] for result in response.json()["results"]}
        print(
            f"\n{size} invoices {expected} ({results}): {elapsed * 1000 / size:.1f} ms per invoice, "
            f"SQL {timer.seconds * 1000 / size:.1f} ms in {timer.count / size:.1f} queries per invoice "
            f"({elapsed * 10_000 / size:.0f} s for 10,000 at this pace)"
        )
        print(f"{'queries/inv':>11} {'ms/inv':>7}  statement")
        for shape, (count, seconds) in sorted(timer.statements.items(), key=lambda item: -item[1][1])[:15]:
            print(f"{count / size:11.1f} {seconds * 1000 / size:7.2f}  {shape}")
        if profiler:
            print(profiler.output_text(unicode=True, color=False, show_all="--all" in argv))
    erp_push.reset(company)
    app.control.purge()  # the tasks the created invoices enqueued


def _profiler(argv: list[str]):
    if "--pyinstrument" not in argv:
        return None
    from pyinstrument import Profiler

    return Profiler(interval=0.001)


def main(argv: list[str]) -> None:
    if "--push" in argv:
        profile_push(argv)
        return
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
