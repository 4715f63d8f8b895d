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
