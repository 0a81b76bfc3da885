from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Proiecte")

    def ready(self) -> None:
        from files.links import register

        # Documents of the document centre can be linked to a project; they show on its page.
        register("projects.Project", _("Proiect"))
