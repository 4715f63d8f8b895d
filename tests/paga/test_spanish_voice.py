"""Spanish speaks with one voice: "usted", never "tú" (issue 13).

The catalogue's translations, the Spanish text left in templates (the Spanish-only PDFs, anything outside
a translate tag) and the Spanish literals of the Python code (example data shown to users) are read for
the "tú" forms: pronouns and possessives (tu, te, ti, contigo, tuyo), second-person verbs (puedes,
tienes, hiciste...), "tú" imperatives with a pronoun attached (déjalo, confírmalo...) and, at the start
of a sentence, the plain "tú" imperatives (Elige, Indica, Escribe...; "usted" says Elija, Indique,
Escriba). Words are matched whole, so "título" or "Co-crea" never match.
"""

import ast
import re
from pathlib import Path

import allauth
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from commitments import reports as commitment_reports
from commitments import services as commitment_services
from commitments.models import Status
from consultations import reports as consultation_reports
from consultations import responses
from consultations.models import Disposition as D
from tests.commitments.factories import CommitmentFactory, complete_commitment, current_plan
from tests.consultations.test_responses import contribution, make_consultation
from tests.factories import UserFactory
from tests.workshops.factories import EventFactory
from tests.workshops.participation_data import attend, held
from workshops import reports as workshop_reports

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale/es/LC_MESSAGES/django.po"


def words(text: str) -> list[str]:
    return text.split()


TU_WORDS = words("""
tu tus tú te ti contigo tuyo tuya tuyos tuyas
puedes puedas podrás tienes tengas tendrás quieres quieras debes deberás eres estás estés haces hagas harás
vas sigues escribes escribas inicias indicas retiras das reportas inscribes asistes trabajas eliminas pasas
obtienes solicitas editabas crees creas necesitas habías recibirás verás volverás vuelvas apoyas cambias
completas recibes respondas aceptas comentas comentes publicas publiques eliges elijas
inténtalo confírmalo confírmala ábrelo ábrela guárdalo guárdala guárdalos déjalo compáralo cópialo márcalo
márcalos fíltralas búscalas léelo adáptalo asígnale corrígela corrígelas ingrésalos inscríbete respóndelo
respóndelos divídelo quítala cámbiala imprímelos envíalo envíala envíame dales escríbenos dinos avísanos
oponerte escribirte bloquearte irte inscribirte registrarte
""")

# "tú" imperatives of -ar verbs are also third-person indicatives ("la plantilla indica..."), so they
# count only where a sentence starts: at the start of the text or after . : ; ! ? or an HTML tag.
SENTENCE_IMPERATIVES = words("""
elige indica escribe ingresa revisa confirma haz inicia crea usa vuelve intenta pulsa sigue introduce
comprueba cambia añade agrega sube descarga abre cierra guarda envía responde selecciona espera recuerda
completa copia prueba quita marca registra arma cancela ignora deja di da restablece configura mira lee
acepta busca solicita escoge pide ordena asigna omite comparte atribuye importa edita comenta
publica apoya reporta limpia visita descubre conoce participa explora borra elimina retira activa desactiva
utiliza verifica valida corrige actualiza genera rechaza congela adjunta
""")

# Second-person preterites (hiciste, escribiste, registraste...), less the words that only look like one.
NOT_PRETERITE = set(words("existe consiste asiste insiste resiste subsiste persiste desiste triste"))

TU_RE = re.compile(r"(?<![\w-])(" + "|".join(TU_WORDS) + r")(?![\w-])", re.IGNORECASE)
IMPERATIVE_RE = re.compile(
    r"(?:^|[.:;!?»”]\s+|<[^>]+>\s*)(" + "|".join(SENTENCE_IMPERATIVES) + r")(?![\w-])", re.IGNORECASE
)
PRETERITE_RE = re.compile(r"(?<![\w-])(\w+(?:aste|iste))(?![\w-])", re.IGNORECASE)

# Texts that match a "tú" pattern and are right as they are, each with its reason.
ALLOWED = {
    "%(capacity)s cupos; cierra el %(closes)s (hora de Lima)": (
        "“cierra” is the registration closing (third person), not an imperative"
    ),
    "%(counter)s cupo; cierra el %(closes)s (hora de Lima)": "the same, one place",
    "%(counter)s cupos; cierra el %(closes)s (hora de Lima)": "the same, several places",
}


def tu_forms(text: str) -> list[str]:
    if text in ALLOWED:
        return []
    found = {m.lower() for m in TU_RE.findall(text)}
    found |= {m.lower() for m in IMPERATIVE_RE.findall(text)}
    found |= {m.lower() for m in PRETERITE_RE.findall(text) if m.lower() not in NOT_PRETERITE}
    return sorted(found)


def catalogue_translations() -> list[str]:
    """Every msgstr (plural forms included) of the Spanish catalogue, its continuation lines joined."""
    msgstrs, current = [], None
    for line in PO.read_text().splitlines():
        if line.startswith("msgstr"):
            current = [line.partition(" ")[2][1:-1]]
            msgstrs.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line[1:-1])
        else:
            current = None
    return [t for t in ("".join(parts) for parts in msgstrs) if t and not t.startswith("Project-Id-Version")]


TEMPLATE_CODE = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"  # comments
    r"|{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"  # English, translated in the catalogue
    r"|{%.*?%}|{{.*?}}|{#.*?#}"  # tags, variables, one-line comments
    r"|<(?:script|style)\b.*?</(?:script|style)>|<[^>]*>",  # markup
    re.DOTALL,
)


def template_texts() -> dict[str, str]:
    """The text each template shows outside translate tags: Spanish in the Spanish-only templates."""
    return {
        str(path.relative_to(ROOT)): TEMPLATE_CODE.sub("\n", path.read_text())
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.suffix in {".html", ".txt"}
    }


SPANISH = re.compile(r"\b(?:el|la|los|las|que|para|con|una|del|por|su|sus|tu|tus|está|según)\b")


def python_spanish_literals() -> list[tuple[str, str]]:
    """Spanish string literals of the apps' Python code (example data shown to users), outside tests."""
    found = []
    for app in ("paga", "commitments", "consultations", "workshops"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
                if is_text and len(SPANISH.findall(node.value)) >= 2:
                    found.append((str(path.relative_to(ROOT)), node.value))
    return found


def test_the_word_list_finds_tu_and_spares_usted():
    assert tu_forms("Escribe tu contraseña.") == ["escribe", "tu"]
    assert tu_forms("Si olvidaste la contraseña, puedes elegir otra.") == ["olvidaste", "puedes"]
    assert tu_forms("Déjalo vacío. <a href='#'>Inicia sesión</a>") == ["déjalo", "inicia"]
    assert tu_forms("Escriba su contraseña. Si la olvidó, puede elegir otra. Déjelo vacío.") == []
    assert tu_forms("La plantilla no indica el título; Co-crea existe y consiste en esto.") == []


def test_the_catalogue_says_usted():
    translations = catalogue_translations()
    assert len(translations) > 1000
    assert [(t, tu_forms(t)) for t in translations if tu_forms(t)] == []


def test_templates_say_usted():
    texts = template_texts()
    assert any("compromiso" in t for t in texts.values()), "the Spanish-only PDF templates are read"
    assert [(name, tu_forms(text)) for name, text in texts.items() if tu_forms(text)] == []


def test_spanish_literals_in_python_say_usted():
    literals = python_spanish_literals()
    assert len(literals) > 50
    assert [(path, text) for path, text in literals if tu_forms(text)] == []


# --- Plurals: a count of 1 takes the singular, in Spanish and in English ("1 tiene", never "1 tienen") ---
@pytest.fixture(params=["es", "en"])
def lang(request, settings):
    settings.COCREA_AS_OF = "2018-06-01"
    with translation.override(request.param):
        yield request.param


def signed_in(client, user, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    return client


def published(consultation, author, secretariat):
    made = contribution(consultation, author=author)
    responses.respond(contribution=made, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    responses.publish_responses(consultation=consultation, actor=secretariat)
    return made


MY_CONTRIBUTIONS = {
    # (made, answered) -> the summary's words, per language
    (1, 1): {"es": "Usted hizo 1 aporte.\n1 tiene una", "en": "You made 1 contribution.\n1 has a"},
    (2, 1): {"es": "Usted hizo 2 aportes.\n1 tiene una", "en": "You made 2 contributions.\n1 has a"},
    (2, 2): {"es": "Usted hizo 2 aportes.\n2 tienen una", "en": "You made 2 contributions.\n2 have a"},
}


@pytest.mark.parametrize(("made", "answered"), list(MY_CONTRIBUTIONS))
def test_my_contributions_counts_each_number_with_its_own_plural(
    client, lang, citizen, secretariat, made, answered
):
    consultation = make_consultation()
    for _ in range(answered):
        published(consultation, citizen, secretariat)
    for _ in range(made - answered):
        contribution(consultation, author=citizen)

    html = signed_in(client, citizen, lang).get(reverse("consultations:my_contributions")).content.decode()

    assert MY_CONTRIBUTIONS[made, answered][lang] in html


PUBLISHED = {
    1: {"es": "Se publicó 1 respuesta.", "en": "1 response was published."},
    2: {"es": "Se publicaron 2 respuestas.", "en": "2 responses were published."},
}


@pytest.mark.parametrize("n", [1, 2])
def test_publishing_responses_says_how_many(client, lang, secretariat, n):
    consultation = make_consultation()
    for _ in range(n):
        written = contribution(consultation)
        responses.respond(
            contribution=written, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera."
        )
    url = reverse("consultations:staff_publish", args=[consultation.slug])

    response = signed_in(client, secretariat, lang).post(url, {"confirmar": "si"}, follow=True)

    assert PUBLISHED[n][lang] in response.content.decode()


PLACES = {
    1: {"es": "1 cupo; cierra el", "en": "1 place; closes"},
    2: {"es": "2 cupos; cierra el", "en": "2 places; closes"},
}


@pytest.mark.parametrize("n", [1, 2])
def test_an_events_staff_page_counts_its_places(client, lang, secretariat, n):
    event = EventFactory(capacity=n)

    html = signed_in(client, secretariat, lang).get(reverse("workshops:staff_event", args=[event.slug]))

    assert PLACES[n][lang] in html.content.decode()


CHANNELS = {
    (1, 1): {"es": "1 aporte llegó por 1 canal.", "en": "1 contribution arrived through 1 channel."},
    (2, 1): {"es": "2 aportes llegaron por 1 canal.", "en": "2 contributions arrived through 1 channel."},
    (2, 2): {"es": "2 aportes llegaron por 2 canales.", "en": "2 contributions arrived through 2 channels."},
}


@pytest.mark.parametrize(("total", "channels"), list(CHANNELS))
def test_the_plan_summary_counts_contributions_and_channels_apart(db, lang, total, channels):
    consultation = make_consultation()
    contribution(consultation, author=UserFactory())
    if total == 2:
        contribution(consultation, **({} if channels == 2 else {"author": UserFactory()}))

    paragraphs = [
        p for block in consultation_reports.process_summary(current_plan()) for p in block.paragraphs
    ]

    assert CHANNELS[total, channels][lang] in paragraphs


PARTICIPANTS = {
    1: {"es": "(1 participante)", "en": "(1 participant)"},
    2: {"es": "(2 participantes)", "en": "(2 participants)"},
}


@pytest.mark.parametrize("n", [1, 2])
def test_the_participation_line_counts_participants(db, lang, n):
    attend(held(), n)

    finding = {line.key: line for line in workshop_reports.compliance(current_plan())}[
        "participation-by-actor"
    ]

    assert PARTICIPANTS[n][lang] in finding.finding


# --- allauth's own messages: its Spanish catalogue mixes tú and usted; ours answers for those used here
ALLAUTH_PO = Path(allauth.__file__).parent / "locale/es/LC_MESSAGES/django.po"

# allauth features Co-crea does not turn on, whose messages never show: phone numbers, passkeys and
# security keys, third-party (social) accounts, and allauth acting as an identity provider for other apps.
UNUSED_FEATURES = re.compile(
    r"phone|security key|passkey|third-party|%\(client_name\)s|%\(provider\)s|user ID|profile information",
    re.IGNORECASE,
)


def allauth_entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of allauth's Spanish catalogue, singular entries."""
    found, msgid, current, key = [], None, [], None
    for line in [*ALLAUTH_PO.read_text().splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            if key == "msgid":
                msgid = "".join(current)
            key, current = line.split(" ", 1)[0], [line.partition(" ")[2][1:-1]]
        elif line.startswith('"'):
            current.append(line[1:-1])
        else:
            if key == "msgstr" and msgid:
                found.append((msgid, "".join(current)))
            msgid, current, key = None, [], None
    return found


def test_allauths_messages_used_here_say_usted(settings):
    tu = [(msgid, text) for msgid, text in allauth_entries() if tu_forms(text)]
    assert len(tu) > 10, "allauth's catalogue is read"
    with translation.override("es"):
        shown = {
            msgid: translation.gettext(msgid.replace('\\"', '"').replace("\\n", "\n"))
            for msgid, _ in tu
            if not UNUSED_FEATURES.search(msgid)
        }
    assert {msgid: text for msgid, text in shown.items() if tu_forms(text)} == {}


# --- "1 of 2": the verb agrees with the first number ("1 de 2 compromisos tiene", never "tienen") -----
AGREEMENT = {
    (1, 2): {
        "es": "1 de 2 compromisos tiene una entidad líder",
        "en": "1 of 2 commitments has a lead entity",
    },
    (2, 2): {
        "es": "2 de 2 compromisos tienen una entidad líder",
        "en": "2 of 2 commitments have a lead entity",
    },
    (1, 1): {
        "es": "1 de 1 compromiso tiene una entidad líder",
        "en": "1 of 1 commitment has a lead entity",
    },
}


@pytest.mark.parametrize(("complete", "total"), list(AGREEMENT))
def test_the_commitments_compliance_line_agrees_with_its_first_number(db, lang, complete, total):
    for n in range(1, total + 1):
        made = complete_commitment(status=Status.AGREED, number=n, title=f"Compromiso {n}")
        if n > complete:
            made.lead_entity = None
            made.save()

    [line] = commitment_reports.compliance(current_plan())

    assert line.finding.startswith(AGREEMENT[complete, total][lang])


REPORT_SHARE = {
    "es": "1 de 2 aportes tiene una respuesta publicada",
    "en": "1 of 2 contributions has a published response",
}


def test_a_consultations_report_agrees_with_the_answered_number(client, lang, citizen, secretariat):
    consultation = make_consultation()
    published(consultation, citizen, secretariat)
    contribution(consultation, author=citizen)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang

    html = client.get(reverse("consultations:report", kwargs={"slug": consultation.slug})).content.decode()

    assert REPORT_SHARE[lang] in html


SCORED = {
    (1, 1): {"es": "en 1 criterio, con 1 punto en total.", "en": "on 1 criterion so far, 1 point in all."},
    (1, 2): {"es": "en 1 criterio, con 2 puntos en total.", "en": "on 1 criterion so far, 2 points in all."},
    (2, 1): {"es": "en 2 criterios, con 1 punto en total.", "en": "on 2 criteria so far, 1 point in all."},
}


@pytest.mark.parametrize(("criteria", "points"), list(SCORED))
def test_a_proposals_score_page_counts_criteria_and_points_apart(client, lang, secretariat, criteria, points):
    commitment = CommitmentFactory(status=Status.IN_CONSULTATION)
    values = [points] if criteria == 1 else [points, 0]
    for criterion, value in zip(["valores", "prioridades"], values, strict=False):
        commitment_services.score(commitment=commitment, actor=secretariat, criterion=criterion, value=value)

    html = signed_in(client, secretariat, lang).get(reverse("commitments:score", args=[commitment.pk]))

    assert SCORED[criteria, points][lang] in html.content.decode()


MERGED = {
    1: {"es": "Se fusionó 1 propuesta en", "en": "1 proposal was merged into"},
    2: {"es": "Se fusionaron 2 propuestas en", "en": "2 proposals were merged into"},
}


@pytest.mark.parametrize("n", [1, 2])
def test_merging_says_how_many_proposals(client, lang, secretariat, n):
    target = CommitmentFactory(status=Status.IN_CONSULTATION)
    sources = [CommitmentFactory(status=Status.IN_CONSULTATION) for _ in range(n)]
    data = {
        "sources": [c.pk for c in sources],
        "into": "existente",
        "target": target.pk,
        "reason": "Lo mismo.",
    }

    response = signed_in(client, secretariat, lang).post(reverse("commitments:merge"), data, follow=True)

    assert MERGED[n][lang] in response.content.decode()
