"""Production static storage, minus source-map rewriting.

The vendored Bootstrap files end with a ``sourceMappingURL`` comment naming a .map file that is not in
static/, which makes ``collectstatic`` fail under the manifest storage (see docs/PERFORMANCE.md). The
benchmark serves the same hashed, compressed files; it only leaves those comments alone.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class BenchStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (glob, tuple(rule for rule in rules if "sourceMappingURL" not in (rule if isinstance(rule, str) else rule[0])))
        for glob, rules in CompressedManifestStaticFilesStorage.patterns
    )
