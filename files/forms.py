from django import forms
from django.utils.translation import gettext_lazy as _

from files.links import LINKABLES
from files.models import Document, hidden_categories
from files.selectors import SORTS
from files.validation import allowed_extensions_text, max_upload_size, validate_upload
from portal.forms import QueryForm
from portal.money import format_file_size


def visible_categories(membership) -> list[tuple[str, str]]:
    """The document categories the membership may see (one small query; all of them without one)."""
    hidden = set(hidden_categories(membership)) if membership else set()
    return [(value, label) for value, label in Document.Category.choices if value not in hidden]


def upload_help() -> str:
    return _("Maximum %(size)s. Tipuri acceptate: %(types)s.") % {
        "size": format_file_size(max_upload_size()),
        "types": allowed_extensions_text(),
    }


class CheckedFileField(forms.FileField):
    """A file field whose file has passed the upload checks (size, extension, content)."""

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded:
            validate_upload(uploaded)
        return uploaded


class DocumentUploadForm(forms.Form):
    title = forms.CharField(label=_("Titlu"), max_length=200)
    category = forms.ChoiceField(label=_("Categorie"), choices=Document.Category.choices)
    description = forms.CharField(
        label=_("Descriere"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = CheckedFileField(label=_("Fișier"))

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help()
        if membership is not None:
            # A member cannot file a document under a category they would then not see.
            self.fields["category"].choices = visible_categories(membership)


class VersionUploadForm(forms.Form):
    file = CheckedFileField(label=_("Fișier nou"))
    comment = forms.CharField(label=_("Ce s-a schimbat"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help()


class DocumentFilterForm(QueryForm):
    q = forms.CharField(label=_("Caută"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Categorie"), required=False)
    linked = forms.ChoiceField(label=_("Legat de"), required=False)
    source = forms.ChoiceField(label=_("Sursă"), required=False)
    new = forms.BooleanField(label=_("Doar cele nedeschise"), required=False)
    sort = forms.ChoiceField(
        label=_("Ordonare"),
        required=False,
        choices=[("new", _("cele mai noi")), ("old", _("cele mai vechi")), ("title", _("după titlu"))],
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("toate")), *visible_categories(membership)]
        self.fields["source"].choices = [("", _("toate")), *list(Document.Source.choices)]
        self.fields["linked"].choices = [("", _("oricare")), ("none", _("nelegate"))] + [
            (key, link.verbose_name)
            for key, link in LINKABLES.items()
            if not link.right or membership.has_right(link.right)
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"].strip(),
            "category": data["category"],
            "linked_type": data["linked"],
            "source": data["source"],
            "sort": data["sort"] if data["sort"] in SORTS else "new",
            "only_new": data["new"],
        }
