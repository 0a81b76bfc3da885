#!/bin/sh
# Refresh ro/LC_MESSAGES/django.po after upgrading django-allauth. Run from the repository root:
#   sh portal/overrides_locale/refresh.sh
# Changed allauth msgids come out fuzzy (with "#|" showing the old msgid), new ones untranslated,
# removed ones are dropped; the Django entries (references starting with django/) are kept as is.
set -eu
set -f  # the -N patterns below must reach msggrep unexpanded
SITE=${SITE:-$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')}
PO=${PO:-portal/overrides_locale/ro/LC_MESSAGES/django.po}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# 1. allauth's msgids for account, mfa and core (not socialaccount, usersessions, headless, idp).
#    allauth's en catalogue serves as the template; msggrep's "*" does not cross "/", hence the depths.
SEL=""
for d in account mfa core templates/account templates/mfa templates/allauth; do
    for g in '*' '*/*' '*/*/*'; do SEL="$SEL -N $d/$g"; done
done
msggrep $SEL "$SITE/allauth/locale/en/LC_MESSAGES/django.po" -o "$TMP/allauth.pot"

# 2. Our Django entries are kept verbatim.
msggrep -N 'django/*/*' -N 'django/*/*/*' -N 'django/*/*/*/*' "$PO" -o "$TMP/django.po"

# 3. Merge and reassemble.
msgmerge --quiet --previous "$PO" "$TMP/allauth.pot" | msgattrib --no-obsolete -o "$TMP/allauth.po"
msgcat --use-first "$TMP/allauth.po" "$TMP/django.po" -o "$PO"
msgfmt --check-format --statistics -o /dev/null "$PO"
echo "To review: msgattrib --only-fuzzy $PO; msgattrib --untranslated $PO"
