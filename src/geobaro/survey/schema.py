"""Survey file format: canonical columns, questions, allowed answers and their labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from geobaro.vocabulary import (
    DATA_STATUSES,
    LANG_INDEX,
    RESPONSE_STATUSES,
    DataStatus,
    ResponseStatus,
)

__all__ = [
    "ANSWER_COLUMNS",
    "DATA_COLUMNS",
    "DATA_STATUSES",
    "DATA_STATUS_COLUMN",
    "KEY_COLUMN",
    "KEY_COLUMN_ALIASES",
    "NAME_COLUMN",
    "NAME_COLUMN_ALIASES",
    "QUESTIONS",
    "QUESTION_KINDS",
    "RESPONSE_STATUSES",
    "STATUS_COLUMN",
    "STATUS_LABELS",
    "WAVE_COLUMN",
    "Concern",
    "DataStatus",
    "Difficulty",
    "Domain",
    "Question",
    "QuestionKind",
    "ResponseStatus",
    "Strategy",
    "StrategyDriver",
    "question_of_column",
]

#: Closed sets of the survey, as ``Literal`` aliases.
QuestionKind = Literal["single", "multi", "scale", "bool"]
Concern = Literal["yes", "partly", "no", "dont_know"]
Strategy = Literal["dedicated_plan", "in_global_strategy", "intends_to_write", "none"]
StrategyDriver = Literal["mayor_college", "administration", "project_officer", "other"]
Domain = Literal["environment", "governance", "mobility", "living", "economy", "people"]
Difficulty = Literal[
    "financial_means",
    "expertise",
    "coordination",
    "political_support",
    "citizen_engagement",
    "technology_data",
    "legal_framework",
    "other",
]

QUESTION_KINDS: tuple[QuestionKind, ...] = get_args(QuestionKind)

#: The commune key: a 2018 NIS code (5 digits; integers are zero-padded).
KEY_COLUMN = "nis_code"
#: The alternative commune key: a name in French, Dutch, German or English.
NAME_COLUMN = "commune"
#: Whether the commune answered: ``answered``, ``refused`` or ``not_reached``.
STATUS_COLUMN = "response_status"
#: Optional survey wave: ``2017-BE``, ``2018-BE`` ... or a year; one row per commune per wave.
WAVE_COLUMN = "wave"
#: ``real`` or ``illustrative``; files marked illustrative are flagged as such everywhere.
DATA_STATUS_COLUMN = "data_status"

#: Headers (folded to snake_case) accepted for the NIS code column.
KEY_COLUMN_ALIASES: frozenset[str] = frozenset(
    {
        "nis_code",
        "nis",
        "niscode",
        "nis5",
        "code_nis",
        "nis_code_2018",
        "refnis",
        "code_refnis",
        "ins",
        "code_ins",
        "ins_code",
        "cd_munty_refnis",
        "gemeentecode",
        "code_commune",
        "commune_code",
    }
)
#: Headers (folded to snake_case) accepted for a commune name column.
NAME_COLUMN_ALIASES: frozenset[str] = frozenset(
    {
        "commune",
        "name",
        "nom",
        "naam",
        "gemeente",
        "gemeinde",
        "municipality",
        "nom_commune",
        "commune_name",
        "naam_gemeente",
        "name_fr",
        "name_nl",
        "name_de",
        "name_en",
        "tx_munty_descr_fr",
        "tx_munty_descr_nl",
        "tx_munty_descr_de",
    }
)

#: Labels (fr, nl, en) of the response statuses.
STATUS_LABELS: dict[str, tuple[str, str, str]] = {
    "answered": ("a répondu", "heeft geantwoord", "answered"),
    "refused": ("a refusé", "heeft geweigerd", "refused"),
    "not_reached": ("non atteinte", "niet bereikt", "not reached"),
}


@dataclass(frozen=True)
class Question:
    """One question of the barometer and how its answers are written in a survey file.

    Attributes
    ----------
    id
        Canonical column name (for ``multi``: the name of the one-cell form).
    kind
        ``single`` (one of ``values``), ``multi`` (any subset of ``values``), ``scale``
        (a whole number in ``values``) or ``bool`` (yes / no).
    values
        Allowed answers (canonical codes, or the integers of a scale).
    labels
        Question text in French, Dutch and English.
    value_labels
        Answer labels (fr, nl, en) in the order of ``values``. Files may use these labels
        instead of the codes, in any case and with or without accents.
    option_prefix
        ``multi`` only: one column per option is named ``{option_prefix}_{value}``.
    """

    id: str
    kind: QuestionKind
    values: tuple[str, ...] | tuple[int, ...]
    labels: tuple[str, str, str, str]
    value_labels: tuple[tuple[str, str, str, str], ...] = ()
    option_prefix: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        """Canonical columns of this question in `survey.SurveyResult.data`.

        Examples
        --------
        >>> QUESTIONS["domains"].columns[:2]
        ('domain_environment', 'domain_governance')
        >>> QUESTIONS["feels_concerned"].columns
        ('feels_concerned',)
        """
        if self.kind == "multi":
            return tuple(f"{self.option_prefix}_{v}" for v in self.values)
        return (self.id,)

    def label(self, lang: str = "en") -> str:
        """Return the question text in ``fr``, ``nl``, ``de`` or ``en`` (other codes: English).

        Examples
        --------
        >>> QUESTIONS["has_project_officer"].label("nl")
        'Heeft de gemeente een Smart City-projectmedewerker?'
        """
        return self.labels[_lang_index(lang)]

    def value_label(self, value: str | int, lang: str = "en") -> str:
        """Return the label of one allowed answer.

        Examples
        --------
        >>> QUESTIONS["feels_concerned"].value_label("partly", "fr")
        'en partie'
        """
        try:
            i = self.values.index(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an answer of {self.id}; allowed: {list(self.values)}"
            ) from None
        if not self.value_labels:
            return str(value)
        return self.value_labels[i][_lang_index(lang)]


def _lang_index(lang: str) -> int:
    return LANG_INDEX.get(lang, LANG_INDEX["en"])  # type: ignore[call-overload,no-any-return]


_AGREE = (
    (
        "pas du tout d'accord",
        "helemaal niet akkoord",
        "überhaupt nicht einverstanden",
        "strongly disagree",
    ),
    ("plutôt pas d'accord", "eerder niet akkoord", "eher nicht einverstanden", "rather disagree"),
    ("neutre", "neutraal", "neutral", "neutral"),
    ("plutôt d'accord", "eerder akkoord", "eher einverstanden", "rather agree"),
    ("tout à fait d'accord", "helemaal akkoord", "völlig einverstanden", "strongly agree"),
)
_INTENSITY = (
    ("nulle", "geen", "keine", "none"),
    ("faible", "zwak", "schwach", "weak"),
    ("moyenne", "gemiddeld", "mittel", "moderate"),
    ("forte", "sterk", "stark", "strong"),
    ("très forte", "zeer sterk", "sehr stark", "very strong"),
)
_PRIORITY = (
    ("très faible", "zeer laag", "sehr niedrig", "very low"),
    ("faible", "laag", "niedrig", "low"),
    ("moyenne", "gemiddeld", "mittel", "medium"),
    ("élevée", "hoog", "hoch", "high"),
    ("très élevée", "zeer hoog", "sehr hoch", "very high"),
)
_SCALE = (1, 2, 3, 4, 5)

_QUESTION_LIST: tuple[Question, ...] = (
    Question(
        "feels_concerned",
        "single",
        get_args(Concern),
        (
            "La commune se sent-elle concernée par le concept de Smart City ?",
            "Voelt de gemeente zich betrokken bij het Smart City-concept?",
            "Fühlt sich die Gemeinde vom Smart-City-Konzept betroffen?",
            "Does the commune feel concerned by the Smart City concept?",
        ),
        (
            ("oui", "ja", "ja", "yes"),
            ("en partie", "gedeeltelijk", "teilweise", "partly"),
            ("non", "nee", "nein", "no"),
            ("ne sait pas", "weet niet", "weiß nicht", "don't know"),
        ),
    ),
    Question(
        "perception_technological",
        "scale",
        _SCALE,
        (
            "La Smart City est avant tout un défi technologique (1-5)",
            "Smart City is vooral een technologische uitdaging (1-5)",
            "Die Smart City ist vor allem eine technologische Herausforderung (1-5)",
            "The Smart City is above all a technological challenge (1-5)",
        ),
        _AGREE,
    ),
    Question(
        "perception_opportunity",
        "scale",
        _SCALE,
        (
            "La Smart City est une opportunité pour la commune (1-5)",
            "Smart City is een kans voor de gemeente (1-5)",
            "Die Smart City ist eine Chance für die Gemeinde (1-5)",
            "The Smart City is an opportunity for the commune (1-5)",
        ),
        _AGREE,
    ),
    Question(
        "perception_future",
        "scale",
        _SCALE,
        (
            "La Smart City est l'avenir des villes (1-5)",
            "Smart City is de toekomst van de steden (1-5)",
            "Die Smart City ist die Zukunft der Städte (1-5)",
            "The Smart City is the future of cities (1-5)",
        ),
        _AGREE,
    ),
    Question(
        "strategy",
        "single",
        get_args(Strategy),
        (
            "Statut de la stratégie Smart City",
            "Stand van de Smart City-strategie",
            "Stand der Smart-City-Strategie",
            "Status of the Smart City strategy",
        ),
        (
            (
                "plan stratégique Smart City dédié",
                "specifiek Smart City-strategisch plan",
                "eigener Smart-City-Plan",
                "dedicated Smart City plan",
            ),
            (
                "intégrée à la stratégie globale",
                "deel van de globale strategie",
                "Teil der Gesamtstrategie",
                "part of the global strategy",
            ),
            (
                "a l'intention d'en rédiger un",
                "plant er een op te stellen",
                "will einen erstellen",
                "intends to write one",
            ),
            ("aucune", "geen", "keine", "none"),
        ),
    ),
    Question(
        "strategy_driver",
        "single",
        get_args(StrategyDriver),
        (
            "Qui porte la démarche Smart City ?",
            "Wie trekt de Smart City-aanpak?",
            "Wer trägt den Smart-City-Ansatz?",
            "Who drives the Smart City approach?",
        ),
        (
            (
                "bourgmestre et collège",
                "burgemeester en college",
                "Bürgermeister und Kollegium",
                "mayor and college",
            ),
            ("administration", "administratie", "Verwaltung", "administration"),
            (
                "chargé de projet Smart City",
                "Smart City-projectmedewerker",
                "Projektbeauftragter",
                "project officer",
            ),
            ("autre", "andere", "Sonstiges", "other"),
        ),
    ),
    Question(
        "has_project_officer",
        "bool",
        ("yes", "no"),
        (
            "La commune a-t-elle un chargé de projet Smart City ?",
            "Heeft de gemeente een Smart City-projectmedewerker?",
            "Hat die Gemeinde einen Smart-City-Projektbeauftragten?",
            "Does the commune have a Smart City project officer?",
        ),
        (("oui", "ja", "ja", "yes"), ("non", "nee", "nein", "no")),
    ),
    Question(
        "domains",
        "multi",
        get_args(Domain),
        (
            "Domaines des projets Smart City",
            "Domeinen van de Smart City-projecten",
            "Bereiche der Smart-City-Projekte",
            "Domains of the Smart City projects",
        ),
        (
            ("environnement", "milieu", "Umwelt", "environment"),
            ("gouvernance", "bestuur", "Governance", "governance"),
            ("mobilité", "mobiliteit", "Mobilität", "mobility"),
            ("cadre de vie", "leefomgeving", "Lebensumfeld", "living"),
            ("économie", "economie", "Wirtschaft", "economy"),
            ("citoyens", "burgers", "Bürgerinnen und Bürger", "people"),
        ),
        option_prefix="domain",
    ),
    Question(
        "difficulties",
        "multi",
        get_args(Difficulty),
        (
            "Principales difficultés rencontrées",
            "Belangrijkste moeilijkheden",
            "Hauptschwierigkeiten",
            "Main difficulties",
        ),
        (
            ("moyens financiers", "financiële middelen", "finanzielle Mittel", "financial means"),
            ("expertise", "expertise", "Fachwissen", "expertise"),
            (
                "coordination des acteurs",
                "coördinatie van de actoren",
                "Koordination der Akteure",
                "coordinating actors",
            ),
            (
                "soutien politique",
                "politieke steun",
                "politische Unterstützung",
                "political support",
            ),
            (
                "implication citoyenne",
                "burgerbetrokkenheid",
                "Bürgerbeteiligung",
                "citizen engagement",
            ),
            (
                "technologie et données",
                "technologie en data",
                "Technologie und Daten",
                "technology and data",
            ),
            ("cadre juridique", "juridisch kader", "rechtlicher Rahmen", "legal framework"),
            ("autre", "andere", "Sonstiges", "other"),
        ),
        option_prefix="difficulty",
    ),
    Question(
        "private_involvement",
        "scale",
        _SCALE,
        (
            "Implication des acteurs privés (1-5)",
            "Betrokkenheid van private actoren (1-5)",
            "Beteiligung privater Akteure (1-5)",
            "Involvement of private actors (1-5)",
        ),
        _INTENSITY,
    ),
    Question(
        "human_priority",
        "scale",
        _SCALE,
        (
            "Priorité donnée à la dimension humaine (1-5)",
            "Prioriteit voor de menselijke dimensie (1-5)",
            "Vorrang für den menschlichen Aspekt (1-5)",
            "Priority given to the human aspect (1-5)",
        ),
        _PRIORITY,
    ),
)

#: Every question of the barometer, by id, in questionnaire order.
QUESTIONS: dict[str, Question] = {q.id: q for q in _QUESTION_LIST}

#: Canonical answer columns of `survey.SurveyResult.data`, in order.
ANSWER_COLUMNS: tuple[str, ...] = tuple(c for q in _QUESTION_LIST for c in q.columns)

#: Every column of `survey.SurveyResult.data`, in order.
DATA_COLUMNS: tuple[str, ...] = (KEY_COLUMN, STATUS_COLUMN, *ANSWER_COLUMNS)


def question_of_column(column: str) -> Question:
    """Return the question a canonical data column belongs to.

    Examples
    --------
    >>> question_of_column("difficulty_expertise").id
    'difficulties'
    """
    for q in _QUESTION_LIST:
        if column == q.id or column in q.columns:
            return q
    raise KeyError(f"{column!r} is not a survey column; known: {list(ANSWER_COLUMNS)}")
