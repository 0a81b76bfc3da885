#!/bin/sh
# Refresh ro/LC_MESSAGES/django.po and djangojs.po after upgrading django-allauth or Django.
# Run from the repository root:
#   sh portal/overrides_locale/refresh.sh
# Changed allauth msgids come out fuzzy (with "#|" showing the old msgid), new ones untranslated,
# removed ones are dropped; our own entries for Django (references starting with django/) are kept
# as is. Every installed Romanian message that still writes ş/ţ with the old cedilla (Django's
# catalogues do, in a few dozen messages) is copied in with ș/ț, the comma below, unless we translate
# that msgid ourselves.
set -eu
set -f  # the -N patterns below must reach msggrep unexpanded
SITE=${SITE:-$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')}
DIR=${DIR:-portal/overrides_locale/ro/LC_MESSAGES}
PO=$DIR/django.po
JS=$DIR/djangojs.po
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# 1. allauth's msgids for account, mfa and core (not socialaccount, usersessions, headless, idp).
#    allauth's en catalogue serves as the template; msggrep's "*" does not cross "/", hence the depths.
SEL=""
for d in account mfa core templates/account templates/mfa templates/allauth; do
    for g in '*' '*/*' '*/*/*'; do SEL="$SEL -N $d/$g"; done
done
msggrep $SEL "$SITE/allauth/locale/en/LC_MESSAGES/django.po" -o "$TMP/allauth.pot"

# 2. Our Django entries (references django/...) are kept verbatim.
OURS=""
for g in '*' '*/*' '*/*/*' '*/*/*/*' '*/*/*/*/*' '*/*/*/*/*/*' '*/*/*/*/*/*/*'; do OURS="$OURS -N django/$g"; done
msggrep --force-po $OURS "$PO" -o "$TMP/django.po"
msggrep --force-po $OURS "$JS" -o "$TMP/djangojs.po"

# 3. The installed Romanian messages written with the cedilla, rewritten with the comma below.
cedilla_fixes() {  # $1: domain (django or djangojs); writes $TMP/cedilla-$1.po
    : >"$TMP/cedilla-$1.list"
    set +f
    for catalogue in "$SITE"/django/conf/locale/ro/LC_MESSAGES/"$1".po \
        "$SITE"/django/contrib/*/locale/ro/LC_MESSAGES/"$1".po \
        "$SITE"/allauth/locale/ro/LC_MESSAGES/"$1".po \
        "$SITE"/crispy_forms/locale/ro/LC_MESSAGES/"$1".po \
        "$SITE"/crispy_bootstrap5/locale/ro/LC_MESSAGES/"$1".po; do
        [ -f "$catalogue" ] || continue
        out="$TMP/cedilla-$1-$(wc -l <"$TMP/cedilla-$1.list").po"
        msgattrib --force-po --translated --no-fuzzy --no-obsolete "$catalogue" |
            msggrep --force-po -T -e '[şţŞŢ]' -o "$out"
        echo "$out" >>"$TMP/cedilla-$1.list"
    done
    set -f
    # msgids are English, so only translations contain the letters; the header is dropped by msgcat below.
    msgcat --force-po --use-first $(cat "$TMP/cedilla-$1.list") |
        sed -e 's/ş/ș/g' -e 's/ţ/ț/g' -e 's/Ş/Ș/g' -e 's/Ţ/Ț/g' >"$TMP/cedilla-$1.po"
}
cedilla_fixes django
cedilla_fixes djangojs

# 4. Merge and reassemble: allauth's entries, then ours, then the cedilla fixes (the first one wins).
msgmerge --quiet --previous "$PO" "$TMP/allauth.pot" | msgattrib --no-obsolete -o "$TMP/allauth.po"
msgcat --use-first "$TMP/allauth.po" "$TMP/django.po" "$TMP/cedilla-django.po" -o "$PO"
msgcat --use-first "$TMP/djangojs.po" "$TMP/cedilla-djangojs.po" -o "$JS"
msgfmt --check-format --statistics -o /dev/null "$PO"
msgfmt --check-format --statistics -o /dev/null "$JS"
echo "To review: msgattrib --only-fuzzy $PO; msgattrib --untranslated $PO"
