"""PDF benchmark: how long the plan's PDF takes to render and how much memory it needs (issue 6).

Renders, each in a child process of its own (so memory peaks do not add up):
  (a) the plan of the PAGA 2017-2019 example at its size: every commitment of the example (27), with
      the process summary and the annex the apps report (paga.reports.collect), from a throwaway SQLite
      database where the example is loaded (migrate + load_example); if that fails, a synthetic plan
      of 12 commitments stands in, and the table says so;
  (b) the example's co-creation report;
  (c) a synthetic plan of at least 120 pages (34 commitments with 8 milestones each by default, and an
      annex of 120 contributions), whose page count is reported.
(a) is rendered twice, in two processes: both must give the same SHA-256.
  (d) the approve request: in the example database, the ministries sign off commitments 3 and 9, the
      Secretaría signs in through the real sign-in form and its two-step verification (an authenticator
      app set up for the run, a real TOTP code), freezes a version with them and POSTs the approval form
      through Django's test Client, three times after one untimed warm-up (a new version each time),
      with Celery on the Redis broker of REDIS_URL (default redis://127.0.0.1:6379/9): the request writes
      the approval and the two job rows and publishes them after commit; rendering happens in a worker,
      which is not running here. Each round must land on the version's page with the version approved
      and its two jobs recorded, or the row says FAIL with what it got. Goal: ≤ 100 ms.

Measures the wall time and CPU time of `commitments.pdf.render_*` alone (not Django's start or the
document's queries) and the child's peak resident memory (getrusage ru_maxrss: the whole process,
Django included, as a worker would hold it). Goals: (a) ≤ 5 s and ≤ 300 MB; (c) ≤ 10 s.
Prints a markdown table and writes it to bench/results/pdf-<UTC timestamp>.md. See bench/README.md.

    .venv/bin/python bench/pdf.py [--commitments 34] [--milestones 8] [--no-example]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GOALS = {"example": (5.0, 300), "synthetic": (10.0, None)}  # seconds, MB
APPROVE_GOAL_MS = 100.0
APPROVE_BROKER = "redis://127.0.0.1:6379/9"
MIN_PAGES = 120


# --- in the child ----------------------------------------------------------------------------------
def _django(database: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paga.settings")
    os.environ["DJANGO_DEBUG"] = "1"  # no secret key needed; nothing is served
    if database:
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup_example(database: str) -> None:
    """Migrate a throwaway SQLite database and load the example into it (its passwords go to a
    temporary file, never to the work tree's .example-accounts.json)."""
    _django(database)
    from django.core.management import call_command

    import paga.example

    accounts = Path(database).with_suffix(".accounts.json")
    paga.example.accounts_file = lambda: accounts
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_example", stdout=io.StringIO())


def example_document():
    """Every commitment of the example plan as a plan document would hold it (text snapshots), with
    the process summary and annex of every app. Not the plan's own assembly (commitments.plan_services):
    the example has no approved version, and the benchmark measures rendering, not assembly."""
    from django.db.models import F

    from commitments import services
    from commitments.models import Commitment
    from commitments.plan_document import PlanCommitment, PlanDocument, SignOff
    from paga.models import ActionPlan
    from paga.reports import collect

    plan = ActionPlan.objects.get(is_current=True)
    rows = Commitment.objects.filter(plan=plan).order_by(F("number").asc(nulls_last=True), "pk")
    commitments = []
    for number, commitment in enumerate(rows, start=1):
        data = services.snapshot(commitment)
        entity = data["lead_entity"] or "Secretaría de Gestión Pública"
        commitments.append(
            PlanCommitment(
                number=number,
                title=data["title"],
                data=data,
                sign_off=SignOff(entity=entity, by="Revisora de ejemplo", on=datetime.date(2017, 12, 1)),
                version_number=commitment.versions.count(),
            )
        )
    return PlanDocument(
        plan_name=plan.name,
        plan_short_name=plan.short_name,
        country=plan.country,
        secretariat=plan.secretariat,
        general_objective=plan.general_objective,
        objectives=[o.text for o in plan.objectives.order_by("order")],
        version_number=1,
        frozen_at=datetime.datetime(2017, 12, 10, 15, 0, tzinfo=datetime.UTC),
        instrument="Resolución Ministerial",
        instrument_number="176-2017-PCM",
        instrument_date=datetime.date(2017, 12, 15),
        instrument_url="https://www.gob.pe/",
        commitments=commitments,
        process_summary=collect("process_summary", plan),
        annex=collect("annex", plan),
    )


PARAGRAPH = (
    "La información sobre la gestión de los recursos públicos en materia de saneamiento no está "
    "disponible de forma oportuna ni en formatos abiertos, lo que limita la vigilancia ciudadana y la "
    "rendición de cuentas de las entidades responsables en los tres niveles de gobierno. "
)


def synthetic_document(n_commitments: int, n_milestones: int, n_contributions: int):
    """A plan of n commitments written like real ones (several paragraphs, accents, 8 milestones)."""
    from commitments.plan_document import PlanCommitment, PlanDocument, SignOff
    from paga.reports import Block, Table

    entities = [
        "Ministerio del Ambiente (MINAM)",
        "Ministerio de Educación (MINEDU)",
        "Ministerio de Transportes y Comunicaciones (MTC)",
        "Ministerio del Interior (MININTER)",
    ]
    commitments = []
    for n in range(1, n_commitments + 1):
        entity = entities[n % len(entities)]
        data = {
            "title": f"Compromiso sintético n.º {n}: información abierta y participación ciudadana",
            "start_date": "2018-01-01",
            "end_date": "2019-12-31",
            "lead_entity": entity,
            "problem": PARAGRAPH * 2 + "\n\n" + PARAGRAPH,
            "baseline": PARAGRAPH,
            "description": PARAGRAPH * 2 + "\n\n" + PARAGRAPH * 2,
            "how_it_helps": PARAGRAPH * 2,
            "theme": "Saneamiento",
            "priority": "Saneamiento / Ambiente",
            "sdg_targets": "6.1; 16.6; 16.10",
            "oecd_standards": "Recomendación del Consejo sobre Gobierno Abierto",
            "additional_info": "",
            "resources_amount": f"{100000 + n * 1250}.00",
            "resources_currency": "PEN",
            "resources_source": "Presupuesto institucional",
            "contact_name": "María Núñez Peña",
            "contact_position": "Directora de Transparencia",
            "contact_email": "transparencia@ejemplo.gob.pe",
            "contact_phone": "01 611 6000",
            "relevances": [
                {"value": "transparencia", "name": "Transparencia", "justification": PARAGRAPH},
                {"value": "participacion", "name": "Participación ciudadana", "justification": PARAGRAPH},
                {"value": "rendicion", "name": "Rendición de cuentas", "justification": PARAGRAPH},
            ],
            "other_actors": [
                {"organisation": "Proética", "role": "Vigilancia ciudadana"},
                {"organisation": "Defensoría del Pueblo", "role": "Acompañamiento"},
            ],
            "milestones": [
                {
                    "description": f"Hito {n}.{i}: producto verificable publicado en el portal de datos "
                    "abiertos, con su informe de avance",
                    "responsible": entity,
                    "start_date": "2018-01-15",
                    "due_date": "2019-06-30",
                    "status": "programado",
                }
                for i in range(1, n_milestones + 1)
            ],
        }
        commitments.append(
            PlanCommitment(
                number=n,
                title=data["title"],
                data=data,
                version_number=3,
                sign_off=SignOff(entity=entity, by="Ana Peña", on=datetime.date(2017, 12, 1)),
            )
        )
    rows = [
        [
            i,
            "30 de septiembre de 2017",
            "Foro virtual",
            f"Ciudadana {i}",
            f"Compromiso {i % n_commitments + 1}",
            PARAGRAPH,
            "Acogido parcialmente",
            "Se incorporó al hito correspondiente.",
        ]
        for i in range(1, n_contributions + 1)
    ]
    return PlanDocument(
        plan_name="Plan de Acción de Gobierno Abierto (sintético)",
        plan_short_name="PAGA sintético",
        country="Perú",
        secretariat="Secretaría de Gestión Pública (PCM)",
        general_objective=PARAGRAPH,
        objectives=["Aplicar los estándares de OGP.", "Priorizar los compromisos."],
        version_number=1,
        frozen_at=datetime.datetime(2017, 12, 10, 15, 0, tzinfo=datetime.UTC),
        instrument="Resolución Ministerial",
        instrument_number="000-2017-PCM",
        instrument_date=datetime.date(2017, 12, 15),
        instrument_url="https://www.gob.pe/",
        commitments=commitments,
        process_summary=[Block(key="sintetico", title="Proceso de co-creación", paragraphs=[PARAGRAPH] * 3)],
        annex=[
            Block(
                key="annex-sintetico",
                title="Aportes y respuestas",
                paragraphs=[PARAGRAPH],
                tables=[
                    Table(
                        caption="Cada aporte y su respuesta",
                        headers=["N.º", "Fecha", "Canal", "Autor", "Ítem", "Aporte", "Respuesta", "Razón"],
                        rows=rows,
                    )
                ],
            )
        ],
    )


def sign_in_with_totp(client, user) -> None:
    """Sign `user` in as a person would: the real sign-in form with a password, then the code their
    authenticator app shows (an app set up here with a fresh secret, as staff must have one). Raises
    RuntimeError when a step does not land where it should: the two-step verification middleware answers
    any staff request of an account without an app with a redirect, which must never pass as success."""
    import secrets as _secrets

    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
    from django.urls import reverse

    password = _secrets.token_urlsafe(16)
    user.set_password(password)
    user.save(update_fields=["password"])
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret = base64.b32encode(_secrets.token_bytes(20)).decode()
    TOTP.activate(user, secret)
    login = client.post(reverse("account_login"), {"login": user.email, "password": password})
    expect_redirect(login, reverse("mfa_authenticate"), "the sign-in form")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
    verified = client.post(reverse("mfa_authenticate"), {"code": code})
    if verified.status_code != 302 or verified["Location"].startswith(reverse("mfa_authenticate")):
        raise RuntimeError(f"the authenticator code was refused ({verified.status_code})")


def expect_redirect(response, expected: str, what: str) -> None:
    """`response` must be a redirect to `expected` (a path, query and fragment ignored)."""
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    if urlsplit(location).path != expected:
        got = f"{response.status_code} to {location}" if location else str(response.status_code)
        raise RuntimeError(f"{what} answered {got}, not a redirect to {expected}")


def approve_timing(rounds: int = 3) -> dict:
    """Time the approve request (see the module's docstring): milliseconds of each round. Each round must
    land on the version's page with the version approved and its two jobs recorded, or it fails."""
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from commitments import plan_services, services
    from commitments.models import Commitment, PlanVersion
    from paga.models import ActionPlan, User

    plan = ActionPlan.objects.get(is_current=True)
    secretariat = User.objects.get(email="secretaria@cocrea.example")
    three = Commitment.objects.get(plan=plan, number=3)
    nine = Commitment.objects.get(plan=plan, number=9)
    services.decide_review(
        commitment=three,
        actor=User.objects.get(email="revisor.minam@cocrea.example"),
        approve=True,
        reason="Conforme (benchmark)",
    )
    services.assign_review(commitment=nine, actor=secretariat, reason="Reunión técnica (benchmark)")
    services.decide_review(
        commitment=nine,
        actor=User.objects.get(email="revisor.mtc@cocrea.example"),
        approve=True,
        reason="Conforme (benchmark)",
    )
    client = Client(SERVER_NAME="127.0.0.1")
    sign_in_with_totp(client, secretariat)
    times = []
    for n in range(-1, rounds):  # round -1 warms the process up (templates, URLs) and is not timed
        version = plan_services.create_draft(plan=plan, actor=secretariat)
        plan_services.set_items(version=version, commitment_ids=[three.pk, nine.pk], actor=secretariat)
        plan_services.freeze(version=version, actor=secretariat)
        url = reverse("commitments:plan_approve", kwargs={"number": version.number})
        data = {
            "instrument": PlanVersion.Instrument.MINISTERIAL_RESOLUTION,
            "instrument_number": f"{n + 2:03d}-{timezone.localdate().year}-PCM (benchmark)",
            "instrument_date": timezone.localdate().isoformat(),  # not before the freeze
            "instrument_url": "",
        }
        started = time.perf_counter()
        response = client.post(url, data)
        if n >= 0:
            times.append((time.perf_counter() - started) * 1000)
        expected = reverse("commitments:plan_staff_version", args=[version.number])
        expect_redirect(response, expected, f"the approve request (round {n + 1})")
        version.refresh_from_db()
        if version.state != PlanVersion.State.APPROVED or version.jobs.count() != 2:
            raise RuntimeError(f"round {n + 1}: the approval or its two jobs were not recorded")
    from paga.celery import app

    app.control.purge()  # the jobs were published for a worker that does not run here
    connection.close()
    return {"approve_ms": times}


def child(args) -> None:
    """Build one document, render it, print what was measured as JSON."""
    if args.case == "approve":
        os.environ.setdefault("REDIS_URL", APPROVE_BROKER)
        _django(args.database)
        json.dump(approve_timing(), sys.stdout)
        return
    _django(args.database)
    from commitments import pdf

    if args.case == "synthetic":
        document = synthetic_document(args.commitments, args.milestones, args.contributions)
    elif args.database:
        document = example_document()
    else:
        document = synthetic_document(12, 4, 40)
    render = pdf.render_cocreation_report if args.kind == "informe" else pdf.render_plan
    before = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter()
    data = render(document)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_SELF)
    Path(args.output).write_bytes(data)
    json.dump(
        {
            "wall": wall,
            "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "peak_mb": after.ru_maxrss / 1024,  # Linux: KiB
            "before_mb": before.ru_maxrss / 1024,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            "commitments": len(document.commitments),
        },
        sys.stdout,
    )


# --- in the parent ---------------------------------------------------------------------------------
def run_child(*extra: str, timeout: int = 600) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", *extra],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def pages(path: Path) -> str:
    pdfinfo = shutil.which("pdfinfo")
    if not pdfinfo:
        return "? (no pdfinfo)"
    out = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True).stdout
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")), "?")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commitments", type=int, default=34, help="commitments of the synthetic plan")
    parser.add_argument("--milestones", type=int, default=8, help="milestones of each synthetic commitment")
    parser.add_argument("--contributions", type=int, default=120, help="rows of the synthetic annex")
    parser.add_argument("--no-example", action="store_true", help="skip the example database (synthetic a)")
    parser.add_argument("--keep", action="store_true", help="keep the PDFs (their folder is printed)")
    # child mode
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--case", default="example", help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="plan", help=argparse.SUPPRESS)
    parser.add_argument("--database", default="", help=argparse.SUPPRESS)
    parser.add_argument("--output", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup_example(args.database) if args.setup else child(args)
        return 0

    work = Path(tempfile.mkdtemp(prefix="cocrea-bench-pdf-"))
    database, source = str(work / "example.sqlite3"), "the example database (27 commitments)"
    if args.no_example:
        database, source = "", "synthetic stand-in (--no-example): 12 commitments"
    else:
        print("Loading the example into a throwaway SQLite database…", file=sys.stderr)
        try:
            run_child("--setup", "--database", database, timeout=900)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            print(f"The example could not be loaded, using a synthetic stand-in:\n{error}", file=sys.stderr)
            database, source = "", "synthetic stand-in (the example could not be loaded): 12 commitments"

    cases = [
        ("(a) example plan", ["--case", "example", "--kind", "plan"], "example"),
        ("(a) example plan, again", ["--case", "example", "--kind", "plan"], "example"),
        ("(b) example co-creation report", ["--case", "example", "--kind", "informe"], None),
        ("(c) synthetic plan", ["--case", "synthetic", "--kind", "plan"], "synthetic"),
    ]
    common = [
        "--database",
        database,
        "--commitments",
        str(args.commitments),
        "--milestones",
        str(args.milestones),
        "--contributions",
        str(args.contributions),
    ]
    rows, results = [], {}
    for n, (name, extra, goal) in enumerate(cases):
        output = work / f"case-{n}.pdf"
        print(f"Rendering {name}…", file=sys.stderr)
        r = run_child(*extra, *common, "--output", str(output))
        r["pages"] = pages(output)
        results[name] = r
        verdict = ""
        if goal:
            seconds, megabytes = GOALS[goal]
            ok = r["wall"] <= seconds and (megabytes is None or r["peak_mb"] <= megabytes)
            verdict = f"≤ {seconds:g} s" + (f", ≤ {megabytes} MB" if megabytes else "")
            verdict += f": **{'PASS' if ok else 'FAIL'}**"
        rows.append(
            f"| {name} | {r['commitments']} | {r['pages']} | {r['wall']:.2f} | {r['cpu']:.2f} | "
            f"{r['peak_mb']:.0f} ({r['before_mb']:.0f} before) | {r['bytes'] / 1024:.0f} | "
            f"{r['sha256'][:12]} | {verdict} |"
        )
    approve_line = "(d) approve request: not measured (needs the example database)."
    if database:
        print("Timing the approve request…", file=sys.stderr)
        try:
            ms = run_child("--case", "approve", "--database", database)["approve_ms"]
            ok = max(ms) <= APPROVE_GOAL_MS
            approve_line = (
                f"(d) approve request, {len(ms)} rounds: {', '.join(f'{t:.1f}' for t in ms)} ms "
                f"(goal ≤ {APPROVE_GOAL_MS:.0f} ms): **{'PASS' if ok else 'FAIL'}**."
            )
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            approve_line = f"(d) approve request: **FAIL**, {str(error).strip().splitlines()[-1]}"
    same = results["(a) example plan"]["sha256"] == results["(a) example plan, again"]["sha256"]
    synthetic_pages = results["(c) synthetic plan"]["pages"]
    load = os.getloadavg()
    now = datetime.datetime.now(datetime.UTC)
    lines = [
        f"# PDF benchmark, {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"(a) and (b) from {source}; (c) {args.commitments} synthetic commitments with {args.milestones} "
        f"milestones each and an annex of {args.contributions} contributions. "
        f"Machine: {os.cpu_count()} cores, "
        f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} when it finished (other work on the "
        "machine slows the wall time; the CPU time is the render's own).",
        "",
        "| render | commitments | pages | wall s | CPU s | peak RSS MB | KB | SHA-256 | goal |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Same document rendered in two processes gives the same SHA-256: **{'PASS' if same else 'FAIL'}**.",
        "",
        approve_line,
    ]
    if str(synthetic_pages).isdigit() and int(synthetic_pages) < MIN_PAGES:
        lines.append(
            f"The synthetic plan has {synthetic_pages} pages, under {MIN_PAGES}: raise --commitments"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"pdf-{now:%Y%m%dT%H%M%SZ}.md"
    path.write_text(report, encoding="utf-8")
    print(f"Written to {path.relative_to(ROOT)}", file=sys.stderr)
    if args.keep:
        print(f"PDFs kept in {work}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
