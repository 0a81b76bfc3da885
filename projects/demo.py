"""Demo projects: for each demo company, projects in every state, with phases, dependencies and
milestones, scheduled around today; the first company has a large ERP implementation (~60 tasks).

Tasks are scheduled from their dependencies (a task starts the day after its last predecessor ends)
and their status follows from today's date, with a few late or waiting tasks on purpose.

Idempotent: projects are keyed by (company, code), tasks by (project, title); running ``seed_demo``
again refreshes them (and drops demo tasks no longer listed). Written with the ORM, not the
services, so that seeding neither fills the audit log nor emails the clients about milestones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Company
from contracts.models import Contract
from files.models import Document
from files.services import document_create
from portal.pdf import render_pdf
from projects.models import Comment, Project, Task
from projects.services import clean_task_fields, find_cycle

P = Project.Status
S = Task.Status

# Supplier-side people.
PM_ERP = {
    "manager_name": "Ioana Marinescu",
    "manager_email": "ioana.marinescu@furnizor.ro",
    "manager_phone": "0721 000 100",
}
PM_TEH = {"manager_name": "Sorin Pavel", "manager_email": "sorin.pavel@furnizor.ro", "manager_phone": "0722 450 310"}
RESUME_IN_DAYS = 45  # suspended demo projects are planned to resume then

FIN, LOG, DEV, TEH, TRN = ("Alina Munteanu", "Cosmin Tudor", "Radu Ene", "Bogdan Lazăr", "Diana Stoica")


@dataclass
class T:
    """A demo task: scheduled after ``after`` (keys), lasting ``days`` (0 = milestone)."""

    key: str
    title: str
    days: int
    after: tuple[str, ...] = ()
    phase: str = ""
    responsible: str = ""
    lag: int = 0
    late: int | None = None  # still open with this progress although its end has passed
    hold: bool = False  # waiting for the client
    contact: bool = False  # the client's project contact is named on it
    description: str = ""


def tasks(phase: str, *items: T) -> list[T]:
    for item in items:
        item.phase = phase
    return list(items)


@dataclass
class Spec:
    code: str
    name: str
    status: str
    start: int  # days from today
    description: str
    tasks: list[T]
    manager: dict = field(default_factory=lambda: PM_ERP)
    suspended_after: int | None = None  # days from today: work stopped then
    finished_late: int = 0
    comments: list[tuple[bool, str]] = field(default_factory=list)
    documents: list[tuple[str, str, list[str]]] = field(default_factory=list)  # title, category, paragraphs
    contract: str = ""  # number of the company's contract the project comes from (contracts demo)


def erp_implementation() -> list[T]:
    return [
        *tasks(
            "Analiză",
            T("ko", "Ședința de lansare a proiectului", 1, responsible="Ioana Marinescu", contact=True),
            T("an-fin", "Analiza proceselor financiar-contabile", 8, ("ko",), responsible=FIN, contact=True),
            T("an-apr", "Analiza proceselor de aprovizionare", 5, ("ko",), responsible=LOG),
            T("an-van", "Analiza vânzărilor și a distribuției", 6, ("ko",), responsible=LOG),
            T("an-sto", "Analiza gestiunii stocurilor și a depozitelor", 6, ("an-apr",), responsible=LOG),
            T("an-srv", "Analiza proceselor de service utilaje", 5, ("ko",), responsible=TEH),
            T("an-rap", "Inventarul rapoartelor folosite azi", 4, ("an-fin",), responsible=DEV),
            T(
                "an-doc",
                "Redactarea documentului de analiză",
                7,
                ("an-fin", "an-sto", "an-van", "an-srv", "an-rap"),
                responsible="Ioana Marinescu",
            ),
            T(
                "an-rev",
                "Revizuirea analizei cu echipa clientului",
                4,
                ("an-doc",),
                contact=True,
                responsible="Ioana Marinescu",
            ),
            T("m-an", "Aprobarea documentului de analiză", 0, ("an-rev",)),
        ),
        *tasks(
            "Proiectare",
            T("pr-ct", "Planul de conturi și centrele de cost", 6, ("m-an",), responsible=FIN),
            T("pr-apr", "Fluxurile de aprobare a achizițiilor", 5, ("m-an",), responsible=LOG),
            T("pr-nom", "Nomenclatoare: articole, parteneri, gestiuni", 6, ("m-an",), responsible=LOG),
            T("pr-efa", "Specificații pentru integrarea e-Factura (ANAF)", 5, ("m-an",), responsible=DEV),
            T("pr-saft", "Specificații pentru raportarea SAF-T (D406)", 6, ("pr-ct",), responsible=FIN),
            T("pr-rap", "Specificații pentru rapoartele personalizate", 8, ("m-an",), responsible=DEV),
            T("pr-drp", "Drepturi de acces pe roluri", 3, ("pr-apr",), responsible=DEV),
            T("m-pr", "Aprobarea soluției", 0, ("pr-ct", "pr-apr", "pr-nom", "pr-efa", "pr-saft", "pr-rap", "pr-drp")),
        ),
        *tasks(
            "Implementare",
            T("im-srv", "Instalarea serverelor și a mediului de test", 4, ("m-pr",), responsible=DEV),
            T("im-cfg", "Configurarea companiei, gestiunilor și punctelor de lucru", 3, ("im-srv",), responsible=LOG),
            T("im-fin", "Configurarea modulului Financiar", 12, ("im-cfg",), responsible=FIN),
            T("im-cg", "Configurarea contabilității de gestiune", 8, ("im-fin",), responsible=FIN),
            T("im-sto", "Configurarea modulului Stocuri", 10, ("im-cfg",), responsible=LOG),
            T("im-apr", "Configurarea modulului Aprovizionare", 8, ("im-sto",), responsible=LOG),
            T("im-van", "Configurarea modulului Vânzări", 9, ("im-sto",), responsible=LOG),
            T("im-srvc", "Configurarea modulului Service și garanții", 10, ("im-cfg",), responsible=TEH),
            T("im-efa", "Integrarea cu e-Factura", 10, ("im-van",), responsible=DEV),
            T("im-saft", "Generarea fișierului SAF-T (D406)", 8, ("im-cg",), responsible=DEV),
            T(
                "im-bank",
                "Importul extraselor bancare (MT940)",
                5,
                ("im-fin",),
                responsible=DEV,
                hold=True,
                description="Așteptăm de la bancă datele de acces la serviciul de extrase.",
            ),
            T("im-rap", "Dezvoltarea rapoartelor personalizate", 18, ("im-fin",), responsible=DEV, late=70),
            T("im-mac", "Machete de documente: facturi, avize, NIR", 6, ("im-van",), responsible=DEV),
            T("im-mnom", "Migrarea nomenclatoarelor", 5, ("im-cfg",), responsible=LOG, contact=True),
            T(
                "im-msold",
                "Migrarea soldurilor inițiale",
                5,
                ("im-fin", "im-mnom"),
                responsible=FIN,
                late=60,
                contact=True,
            ),
            T("im-msto", "Migrarea stocurilor inițiale", 4, ("im-sto", "im-mnom"), responsible=LOG),
            T("im-drp", "Configurarea drepturilor de acces", 3, ("im-efa",), responsible=DEV),
            T(
                "m-im",
                "Mediul de test gata pentru validare",
                0,
                (
                    "im-cg",
                    "im-apr",
                    "im-srvc",
                    "im-efa",
                    "im-saft",
                    "im-rap",
                    "im-mac",
                    "im-msold",
                    "im-msto",
                    "im-drp",
                ),
            ),
        ),
        *tasks(
            "Testare",
            T("ts-fin", "Scenarii de test pentru fluxurile financiare", 5, ("m-im",), responsible=FIN),
            T("ts-log", "Scenarii de test pentru fluxurile logistice", 5, ("m-im",), responsible=LOG),
            T("ts-efa", "Test e-Factura în mediul de test ANAF", 4, ("m-im",), responsible=DEV),
            T(
                "ts-uat",
                "Testarea de acceptanță cu utilizatorii cheie",
                10,
                ("ts-fin", "ts-log", "ts-efa"),
                responsible="Ioana Marinescu",
                contact=True,
            ),
            T("ts-fix", "Corectarea neconformităților din testare", 8, ("ts-uat",), responsible=DEV),
            T("ts-perf", "Testul de performanță", 3, ("ts-uat",), responsible=DEV),
            T("ts-mig", "Repetiția generală a migrării", 3, ("ts-fix",), responsible=LOG),
            T("m-ts", "Recepția la testare (proces-verbal)", 0, ("ts-fix", "ts-perf", "ts-mig")),
        ),
        *tasks(
            "Instruire",
            T("in-plan", "Planul de instruire și materialele de curs", 6, ("m-im",), responsible=TRN),
            T("in-key", "Instruirea utilizatorilor cheie", 4, ("in-plan",), responsible=TRN, contact=True),
            T("in-fin", "Instruire Financiar-Contabilitate", 4, ("in-key", "ts-uat"), responsible=FIN),
            T("in-log", "Instruire Logistică și depozit", 3, ("in-key", "ts-uat"), responsible=LOG),
            T("in-van", "Instruire Vânzări", 2, ("in-key", "ts-uat"), responsible=LOG),
            T("in-srv", "Instruire Service", 2, ("in-key", "ts-uat"), responsible=TEH),
            T("in-adm", "Instruirea administratorilor de sistem", 2, ("in-key",), responsible=DEV),
        ),
        *tasks(
            "Punere în funcțiune",
            T("pf-close", "Închiderea lunii în vechiul sistem", 3, ("m-ts",), responsible=FIN, contact=True),
            T("pf-mig", "Migrarea finală a datelor", 2, ("pf-close",), responsible=LOG),
            T("pf-chk", "Verificarea soldurilor migrate", 2, ("pf-mig",), responsible=FIN, contact=True),
            T("m-live", "Pornirea în producție", 0, ("pf-chk", "in-fin", "in-log", "in-van", "in-srv", "in-adm")),
            T("pf-care", "Asistență la pornire (hypercare)", 20, ("m-live",), responsible="Ioana Marinescu"),
            T("pf-month", "Prima închidere de lună în noul sistem", 5, ("m-live",), lag=24, responsible=FIN),
            T("pf-doc", "Predarea documentației", 3, ("pf-care",), responsible=TRN),
            T("m-final", "Recepția finală", 0, ("pf-month", "pf-doc")),
        ),
    ]


def pumping_station() -> list[T]:
    return [
        *tasks(
            "Analiză",
            T("rel", "Releveu la stația SP-3", 2, responsible=TEH, contact=True),
            T("hid", "Calculul hidraulic și alegerea pompelor", 5, ("rel",), responsible=TEH),
            T("m-sol", "Soluția tehnică aprobată", 0, ("hid",)),
        ),
        *tasks(
            "Aprovizionare",
            T("cmd", "Comanda pompelor CP-200 și a vanelor", 2, ("m-sol",), responsible=LOG),
            T("liv", "Livrarea echipamentelor pe șantier", 21, ("cmd",), responsible=LOG),
            T("tab", "Tabloul electric și automatizarea", 18, ("cmd",), responsible=TEH, late=80),
        ),
        *tasks(
            "Implementare",
            T(
                "fund",
                "Fundații și postamente (client)",
                6,
                ("m-sol",),
                contact=True,
                hold=True,
                description="Lucrare în sarcina clientului: așteptăm confirmarea constructorului.",
            ),
            T("mon", "Montajul pompelor și al conductelor", 6, ("liv", "fund"), responsible=TEH),
            T("el", "Racordarea electrică", 3, ("mon", "tab"), responsible=TEH),
        ),
        *tasks(
            "Punere în funcțiune",
            T("prb", "Probe la gol și în sarcină", 2, ("el",), responsible=TEH),
            T("instr", "Instruirea operatorilor stației", 1, ("prb",), responsible=TEH, contact=True),
            T("m-pif", "Punerea în funcțiune (proces-verbal)", 0, ("prb", "instr")),
        ),
    ]


def predictive_maintenance() -> list[T]:
    return [
        *tasks(
            "Analiză",
            T("ko", "Ședința de lansare", 1, responsible="Ioana Marinescu"),
            T("inv", "Inventarul utilajelor și al senzorilor existenți", 6, ("ko",), responsible=TEH),
            T("an", "Analiza istoricului de defecte", 8, ("inv",), responsible=DEV),
            T("m-an", "Aprobarea analizei", 0, ("an",)),
        ),
        *tasks(
            "Implementare",
            T("mod", "Configurarea modulului de mentenanță", 10, ("m-an",), responsible=TEH),
            T("int", "Integrarea cu senzorii de vibrații", 12, ("m-an",), responsible=DEV),
            T("alr", "Reguli de alertare și planuri de revizie", 6, ("mod", "int"), responsible=TEH),
        ),
        *tasks("Instruire", T("tr", "Instruirea echipei de service", 2, ("alr",), responsible=TRN)),
        *tasks("Punere în funcțiune", T("m-live", "Pornirea în producție", 0, ("tr",))),
    ]


def data_migration() -> list[T]:
    return [
        *tasks(
            "Analiză",
            T("inv", "Inventarul bazelor de date vechi", 4, responsible=DEV),
            T("map", "Corespondența câmpurilor vechi–noi", 6, ("inv",), responsible=FIN),
        ),
        *tasks(
            "Implementare",
            T("scr", "Scripturi de migrare 2019–2024", 10, ("map",), responsible=DEV),
            T("run", "Rularea migrării pe mediul de test", 3, ("scr",), responsible=DEV),
            T("chk", "Verificarea soldurilor pe ani", 5, ("run",), responsible=FIN, contact=True),
        ),
        *tasks(
            "Punere în funcțiune",
            T("prod", "Migrarea în producție", 2, ("chk",), responsible=DEV),
            T("m-rec", "Recepția migrării", 0, ("prod",)),
        ),
    ]


def mobile_app() -> list[T]:
    return [
        *tasks(
            "Analiză",
            T("ko", "Ședința de lansare", 1, responsible="Ioana Marinescu"),
            T("flow", "Fluxurile agenților de teren", 6, ("ko",), responsible=LOG, contact=True),
            T("m-an", "Aprobarea analizei", 0, ("flow",)),
        ),
        *tasks(
            "Implementare",
            T("ux", "Machete de ecrane", 8, ("m-an",), responsible=DEV),
            T("api", "Serviciile de sincronizare cu ERP", 15, ("m-an",), responsible=DEV),
            T("app", "Aplicația Android: comenzi și încasări", 20, ("ux",), responsible=DEV),
            T("off", "Lucrul fără semnal (offline)", 10, ("app", "api"), responsible=DEV),
        ),
        *tasks(
            "Testare",
            T("pilot", "Pilot cu trei agenți", 10, ("off",), responsible=LOG, contact=True),
            T("m-pilot", "Recepția pilotului", 0, ("pilot",)),
        ),
    ]


def mes_implementation() -> list[T]:
    return [
        *tasks(
            "Analiză",
            T("ko", "Ședința de lansare", 1, responsible="Ioana Marinescu", contact=True),
            T("hala", "Analiza fluxului în hala de injecție", 6, ("ko",), responsible=TEH),
            T("plan", "Analiza planificării producției", 5, ("ko",), responsible=LOG),
            T("m-an", "Aprobarea analizei", 0, ("hala", "plan")),
        ),
        *tasks(
            "Implementare",
            T("mas", "Nomenclatorul de mașini, matrițe și rețete", 6, ("m-an",), responsible=LOG),
            T("term", "Terminale de hală pentru operatori", 10, ("m-an",), responsible=DEV),
            T("plc", "Colectarea datelor din mașinile de injecție", 14, ("mas",), responsible=DEV, late=55),
            T("aps", "Planificarea capacităților (APS)", 12, ("mas",), responsible=LOG),
            T("oee", "Raportul OEE pe schimburi", 6, ("plc",), responsible=DEV),
            T("m-test", "Sistemul gata de testare", 0, ("term", "aps", "oee")),
        ),
        *tasks(
            "Instruire",
            T("tr-op", "Instruirea operatorilor pe schimburi", 4, ("m-test",), responsible=TRN, contact=True),
            T("tr-pl", "Instruirea planificatorilor", 2, ("m-test",), responsible=TRN),
        ),
        *tasks(
            "Punere în funcțiune",
            T("pilot", "Pilot pe linia 2", 10, ("tr-op", "tr-pl"), responsible=TEH),
            T("ext", "Extinderea pe toate liniile", 10, ("pilot",), responsible=TEH),
            T("m-live", "Recepția finală", 0, ("ext",)),
        ),
    ]


def erp_upgrade() -> list[T]:
    return [
        *tasks(
            "Analiză",
            T("diff", "Analiza diferențelor față de versiunea 2026", 5, responsible=DEV),
            T("m-an", "Planul de actualizare aprobat", 0, ("diff",)),
        ),
        *tasks(
            "Implementare",
            T("test", "Actualizarea mediului de test", 3, ("m-an",), responsible=DEV),
            T("rap", "Adaptarea rapoartelor personalizate", 8, ("test",), responsible=DEV),
            T("uat", "Testarea cu utilizatorii cheie", 5, ("rap",), responsible=FIN, contact=True),
        ),
        *tasks(
            "Punere în funcțiune",
            T("prod", "Actualizarea producției (weekend)", 2, ("uat",), responsible=DEV),
            T("m-live", "Versiunea 2026 în producție", 0, ("prod",)),
        ),
    ]


def bi_dashboards() -> list[T]:
    return [
        *tasks("Analiză", T("kpi", "Indicatorii de performanță ai conducerii", 5, responsible=FIN, contact=True)),
        *tasks(
            "Implementare",
            T("dw", "Depozitul de date (vânzări, producție, stocuri)", 12, ("kpi",), responsible=DEV),
            T("dash", "Tablourile de bord", 10, ("dw",), responsible=DEV),
            T("acc", "Drepturi de acces pe direcții", 2, ("dash",), responsible=DEV),
        ),
        *tasks("Instruire", T("tr", "Prezentarea pentru conducere", 1, ("acc",), responsible=TRN, contact=True)),
        *tasks("Punere în funcțiune", T("m-rec", "Recepția tablourilor de bord", 0, ("tr",))),
    ]


def scales_integration() -> list[T]:
    return [
        *tasks(
            "Analiză",
            T("inv", "Inventarul cântarelor și al terminalelor", 3, responsible=TEH),
            T("m-an", "Soluția aprobată", 0, ("inv",)),
        ),
        *tasks(
            "Implementare",
            T("drv", "Conectorii pentru cântare", 8, ("m-an",), responsible=DEV),
            T("rec", "Recepția materiilor prime cu cântărire", 6, ("drv",), responsible=LOG),
            T("lbl", "Etichetarea loturilor", 6, ("drv",), responsible=DEV),
        ),
        *tasks(
            "Punere în funcțiune",
            T("pif", "Punerea în funcțiune în hală", 3, ("rec", "lbl"), responsible=TEH),
            T("m-pif", "Recepția integrării", 0, ("pif",)),
        ),
    ]


def specs_for(index: int) -> list[Spec]:
    if index == 0:
        return [
            Spec(
                "PRJ-2026-014",
                "Implementare ERP — financiar, logistică și service",
                P.IN_PROGRESS,
                -150,
                "Implementarea sistemului ERP pentru toate departamentele: contabilitate, aprovizionare, "
                "depozite, vânzări și service utilaje, cu integrarea e-Factura și SAF-T.",
                erp_implementation(),
                documents=[
                    (
                        "Document de analiză — Implementare ERP",
                        Document.Category.TECHNICAL,
                        [
                            "Descrierea proceselor actuale și a celor propuse pentru contabilitate, aprovizionare, "
                            "depozite, vânzări și service utilaje.",
                            "Cerințe de integrare: e-Factura, SAF-T (D406), extrase bancare MT940.",
                        ],
                    ),
                    (
                        "Plan de proiect și calendar — Implementare ERP",
                        Document.Category.CONTRACTUAL,
                        [
                            "Fazele proiectului, jaloanele și responsabilii din partea furnizorului și a clientului.",
                            "Calendarul actualizat se vede oricând în portal, pe pagina proiectului (diagrama Gantt).",
                        ],
                    ),
                ],
                comments=[
                    (
                        False,
                        "Bună ziua! Putem muta instruirea pentru Vânzări după 15 ianuarie? În "
                        "decembrie agenții sunt pe teren pentru campania de sfârșit de an.",
                    ),
                    (
                        True,
                        "Bună ziua, da: o planificăm după 15 ianuarie, fără să afecteze data "
                        "pornirii în producție. Revin cu noua dată după ședința de luni.",
                    ),
                ],
            ),
            Spec(
                "PRJ-2026-021",
                "Montaj și punere în funcțiune stație de pompare SP-3",
                P.IN_PROGRESS,
                -45,
                "Furnizarea, montajul și punerea în funcțiune a două pompe CP-200 cu tabloul de automatizare.",
                pumping_station(),
                manager=PM_TEH,
                contract="CTR-2025-014",
                documents=[
                    (
                        "Soluția tehnică — stația de pompare SP-3",
                        Document.Category.TECHNICAL,
                        [
                            "Două pompe centrifugale CP-200 în paralel, cu tablou de automatizare și "
                            "convertizoare de frecvență.",
                            "Debit total 400 m³/h la 32 m coloană de apă.",
                        ],
                    )
                ],
            ),
            Spec(
                "PRJ-2027-002",
                "Modul de mentenanță predictivă pentru utilaje",
                P.PLANNED,
                40,
                "Alertarea din timp a defectelor la utilajele din service, pe baza senzorilor de vibrații.",
                predictive_maintenance(),
            ),
            Spec(
                "PRJ-2026-003",
                "Migrarea datelor istorice 2019–2024",
                P.DONE,
                -140,
                "Preluarea în noul ERP a documentelor și soldurilor din anii 2019–2024.",
                data_migration(),
                finished_late=5,
            ),
            Spec(
                "PRJ-2026-009",
                "Aplicație mobilă pentru agenții de teren",
                P.SUSPENDED,
                -60,
                "Comenzi și încasări din teren, cu sincronizare în ERP. Suspendat la cererea clientului "
                "până la bugetul 2027.",
                mobile_app(),
                suspended_after=-20,
            ),
        ]
    return [
        Spec(
            "PRJ-2026-017",
            "Implementare MES și planificarea producției",
            P.IN_PROGRESS,
            -50,
            "Urmărirea producției în timp real pe liniile de injecție și planificarea capacităților.",
            mes_implementation(),
        ),
        Spec(
            "PRJ-2027-004",
            "Actualizarea ERP la versiunea 2026",
            P.PLANNED,
            25,
            "Trecerea la versiunea 2026 a ERP-ului, cu adaptarea rapoartelor personalizate.",
            erp_upgrade(),
        ),
        Spec(
            "PRJ-2026-005",
            "Tablouri de bord BI pentru conducere",
            P.DONE,
            -120,
            "Indicatorii de vânzări, producție și stocuri, actualizați zilnic.",
            bi_dashboards(),
        ),
        Spec(
            "PRJ-2026-012",
            "Integrarea cântarelor și a terminalelor din hală",
            P.SUSPENDED,
            -35,
            "Cântărirea la recepție și etichetarea loturilor. Suspendat: se înlocuiesc cântarele vechi.",
            scales_integration(),
            manager=PM_TEH,
            suspended_after=-12,
        ),
    ]


def calendar_days(working_days: int) -> int:
    """Durations are written in working days; the chart is in calendar days."""
    return 0 if working_days == 0 else -(-working_days * 7 // 5)


def schedule(
    items: list[T], start: date, today: date, pause: tuple[date, date] | None = None
) -> dict[str, tuple[date, date]]:
    """Each task starts the day after its last predecessor ends. A late or waiting task's successors
    are planned after its forecast end (a week from today), as the project manager re-plans them.
    ``pause`` (stopped on, resumes on): work open when a project was suspended moves past the pause."""
    dates: dict[str, tuple[date, date]] = {}
    forecast: dict[str, date] = {}
    for item in items:
        begin = max((forecast[key] + timedelta(days=1) for key in item.after), default=start)
        begin += timedelta(days=item.lag)
        end = begin if item.days == 0 else begin + timedelta(days=calendar_days(item.days) - 1)
        if pause and end >= pause[0]:
            if begin >= pause[0]:
                begin, end = max(begin, pause[1]), max(begin, pause[1]) + (end - begin)
            else:
                end += pause[1] - pause[0]
        dates[item.key] = (begin, end)
        forecast[item.key] = max(end, today + timedelta(days=7)) if item.late is not None or item.hold else end
    return dates


def state(item: T, begin: date, end: date, spec: Spec, today: date, waiting: bool) -> tuple[str, int]:
    """``waiting``: a predecessor is still open, so this task cannot be done yet."""
    if spec.status == P.DONE:
        return S.DONE, 100
    if spec.status == P.PLANNED:
        return S.NOT_STARTED, 0
    now = today + timedelta(days=spec.suspended_after) if spec.suspended_after is not None else today
    if item.hold and begin <= today:
        return S.ON_HOLD, 0
    if item.late is not None and begin <= now:
        return S.IN_PROGRESS, item.late
    if waiting:
        return S.NOT_STARTED, 0
    if end < now:
        return S.DONE, 100
    if begin > now:
        return S.NOT_STARTED, 0
    if item.days == 0:
        return S.NOT_STARTED, 0
    elapsed = (now - begin).days + 1
    progress = min(95, 5 * round(100 * elapsed / item.days / 5))
    return (S.ON_HOLD if spec.status == P.SUSPENDED else S.IN_PROGRESS), progress


def seed_project(company: Company, spec: Spec, today: date, contact) -> Project:
    pause = None
    if spec.suspended_after is not None:
        pause = (today + timedelta(days=spec.suspended_after), today + timedelta(days=RESUME_IN_DAYS))
    dates = schedule(spec.tasks, today + timedelta(days=spec.start), today, pause)
    first = min(d[0] for d in dates.values())
    last = max(d[1] for d in dates.values())
    started = spec.status != P.PLANNED
    project, _ = Project.objects.update_or_create(
        company=company,
        code=spec.code,
        defaults={
            "name": spec.name,
            "description": spec.description,
            "status": spec.status,
            "planned_start": first,
            "planned_end": last,
            "actual_start": first + timedelta(days=1) if started else None,
            "actual_end": last + timedelta(days=spec.finished_late) if spec.status == P.DONE else None,
            "contract": Contract.objects.filter(company=company, number=spec.contract).first()
            if spec.contract
            else None,
            **spec.manager,
        },
    )
    by_key: dict[str, Task] = {}
    for position, item in enumerate(spec.tasks, start=1):
        begin, end = dates[item.key]
        waiting = any(by_key[key].status != S.DONE for key in item.after)
        status, progress = state(item, begin, end, spec, today, waiting)
        task = Task(
            project=project,
            company=company,
            phase=item.phase,
            position=position * 10,
            title=item.title,
            description=item.description,
            start=begin,
            end=end,
            is_milestone=item.days == 0,
            status=status,
            progress=progress,
            responsible=item.responsible,
            client_contact=contact if item.contact else None,
        )
        clean_task_fields(task)
        task, _ = Task.objects.update_or_create(
            project=project,
            title=item.title,
            defaults={
                name: getattr(task, name)
                for name in (
                    "company",
                    "phase",
                    "position",
                    "description",
                    "start",
                    "end",
                    "is_milestone",
                    "status",
                    "progress",
                    "responsible",
                    "client_contact",
                )
            },
        )
        by_key[item.key] = task
    Task.objects.filter(project=project).exclude(pk__in=[t.pk for t in by_key.values()]).delete()
    edges = [(by_key[key].pk, by_key[item.key].pk) for item in spec.tasks for key in item.after]
    assert find_cycle(edges) is None, spec.code
    for item in spec.tasks:
        by_key[item.key].depends_on.set([by_key[key] for key in item.after])
    return project


def seed_documents(project: Project, spec: Spec, staff) -> None:
    """Documents of the document centre linked to the project (left alone once they exist)."""
    existing = set(Document.objects.filter(company=project.company).values_list("title", flat=True))
    for title, category, paragraphs in spec.documents:
        if title in existing:
            continue
        content = render_pdf(
            "pdf/demo_document.html",
            {"title": title, "paragraphs": paragraphs, "supplier_name": settings.SUPPLIER["name"]},
        )
        upload = SimpleUploadedFile(f"{title.split(' — ')[0]}.pdf", content, content_type="application/pdf")
        document_create(
            company=project.company,
            title=title,
            category=category,
            uploaded=upload,
            user=staff,
            description=project.name,
            linked=project,
        )


def seed(demo: dict) -> None:
    today = timezone.localdate()
    users = demo.get("users", {})
    contacts = [users.get("mihai.ionescu@agroserv.ro"), users.get("radu.stan@termoplast.ro")]
    authors = [users.get("ana.popescu@agroserv.ro"), users.get("elena.dumitru@termoplast.ro")]
    staff = demo.get("staff")
    for index, company in enumerate(demo.get("companies", [])[:2]):
        for spec in specs_for(index):
            project = seed_project(company, spec, today, contacts[index])
            seed_documents(project, spec, staff)
            author = authors[index]
            if author is None:  # seeded without the demo people (the browser tests)
                membership = company.memberships.active().select_related("user").order_by("pk").first()
                author = membership.user if membership else None
            for from_supplier, body in spec.comments:
                Comment.objects.get_or_create(
                    project=project,
                    body=body,
                    defaults={
                        "company": company,
                        "from_supplier": from_supplier,
                        "author": staff if from_supplier else author,
                    },
                )
