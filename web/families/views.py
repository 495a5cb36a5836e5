"""Whole-family work: the family's plan, meetings, progress and the team around the family.

Coordinators work on a household's plan and team; the admin keeps the competence and measure
lists; a volunteer on a family's team sees what the coordinator shares and marks their own
agreements done. Views parse, ask the policy and call models.families; nothing else.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from matching.vocabulary import LANGUAGES
from models.audit import record_view
from models.clock import today
from models.errors import AlreadyDone, DomainError
from models.families import operations as ops
from models.families import queries
from models.families.tables import (
    AGREEMENT_STATUSES,
    GOAL_STATUSES,
    GRADED_MEASURES,
    LIFE_AREAS,
    Competence,
    FamilyAgreement,
    FamilyGoal,
    FamilyPlan,
    FamilyTeam,
    FamilyTeamRun,
    Measure,
    Professional,
    ProgramMeasure,
    VolunteerCompetence,
)
from models.families.team_runs import (
    TEAM_RUN_ERRORS,
    TIME_LIMIT_S,
    TeamRunActive,
    latest_team_run,
    queue_team_run,
)
from models.families.teams import load_actors, set_team
from models.mentees import Household, Request
from models.organisations import Program
from models.volunteers import Volunteer
from web.database import get_db
from web.families.forms import (
    AgreementForm,
    CompetenceForm,
    DreamsForm,
    GoalForm,
    MeasureForm,
    MeasuresForm,
    MeetingForm,
    ProfessionalForm,
    ProgressForm,
    StatusForm,
    TeamForm,
    VolunteerCompetenceForm,
)
from web.forms import apply_domain_error
from web.i18n import error_message, format_number
from web.i18n import label as vocab_label
from web.jobs.queue import enqueue
from web.labels import label
from web.pagination import paginate
from web.policy import load, own_volunteer, require, require_area, scope

bp = Blueprint("families", __name__, url_prefix="/familiearbejde")


def competence_name(c: Competence) -> str:
    return label("competence", c.code) if c.code else c.name


def measure_name(m: Measure, graded: bool | None = None) -> str:
    """The question (a yes/no answer) or what it grades (a graded one); ``graded`` None: as the measure is."""
    if m.code and (m.graded if graded is None else graded) and m.code in GRADED_MEASURES:
        return label("measure_graded", m.code)
    return label("measure", m.code) if m.code else m.name


def level_name(m: Measure, level: int) -> str:
    """The words of level ``level`` (1-based) of a graded measure."""
    if not 1 <= level <= len(m.levels):
        return str(level)
    code = m.levels[level - 1]
    return label("child_protection_level", code) if m.code in GRADED_MEASURES else code


def family_work(volunteer: Volunteer | None) -> dict:
    """For the volunteer's home page: the families whose team they are on, their open agreements."""
    if volunteer is None:
        return {"families": [], "agreements": []}
    db = get_db()
    return {"families": queries.volunteer_teams(db, volunteer.id),
            "agreements": queries.volunteer_open_agreements(db, volunteer.id)}


@bp.app_context_processor
def _helpers() -> dict:
    return {"competence_name": competence_name, "measure_name": measure_name, "family_work": family_work,
            "run_message": run_message, "level_name": level_name}


def _viewed(record_type: str, record_id: int, **detail: object) -> None:
    record_view(get_db(), organisation_id=current_user.organisation_id, user_id=current_user.id,
                record_type=record_type, record_id=record_id, detail=dict(detail) or None)


def _competences(active_only: bool = True) -> list[Competence]:
    stmt = select(Competence).where(Competence.organisation_id == current_user.organisation_id)
    if active_only:
        stmt = stmt.where(Competence.active)
    return list(get_db().exec(stmt.order_by(Competence.id)))


def _owner_choices(view: queries.PlanView) -> list[tuple[str, str]]:
    out = [(f"member:{m.id}", f"{m.first_name} ({label('member_role', m.role)})") for m in view.members.values()]
    for m in view.team_members:
        kind = "volunteer" if m.volunteer_id else "professional"
        out.append((f"{kind}:{m.volunteer_id or m.professional_id}", f"{view.member_name(m)} ({label('owner_kind', kind)})"))
    return [("", "—"), *out]


def _parse_owner(value: str | None) -> tuple[str, int | None]:
    kind, _sep, raw = (value or "").partition(":")
    return kind, int(raw) if raw.isdigit() else None


def _forms(view: queries.PlanView) -> dict:
    goal = GoalForm(prefix="goal")
    goal.member.choices = [("", _("The whole family")), *[(str(m.id), m.first_name) for m in view.members.values()]]
    goal.life_area.choices = [("", "—"), *[(a, label("life_area", a)) for a in LIFE_AREAS]]
    agreement = AgreementForm(prefix="agreement")
    agreement.owner.choices = _owner_choices(view)
    agreement.goal.choices = [("", "—"), *[(str(g.id), g.title) for g in view.goals]]
    dreams = DreamsForm(prefix="dreams")
    if view.plan is not None and not dreams.is_submitted():
        dreams.dreams.data = view.plan.dreams
        dreams.shared.data = view.plan.dreams_shared
    return {"goal_form": goal, "agreement_form": agreement, "dreams_form": dreams}


def _plan_page(household: Household, status: int = 200, **forms: object) -> Response:
    db = get_db()
    view = queries.plan_view(db, household)
    context = _forms(view)
    context.update(forms)
    measures = {m.id: m for m in db.exec(select(Measure).where(Measure.organisation_id == household.organisation_id))}
    page = render_template("families/plan.html", view=view, household=household, measures=measures,
                           goal_statuses=GOAL_STATUSES, agreement_statuses=AGREEMENT_STATUSES, **context)
    return make_response(page, status)


# --- the list of families -----------------------------------------------------------------------

@bp.get("/")
def index() -> str:
    require_area("coordinator")
    db = get_db()
    search = (request.args.get("q") or "").strip()[:100]
    stmt = scope(Household).where(Household.anonymised_at.is_(None))
    if search:
        stmt = stmt.where(Household.family_name.ilike(f"%{search}%"))
    page = paginate(db, stmt.order_by(Household.family_name, Household.id))
    ids = [h.id for h in page.items]
    plans = {p.household_id: p for p in db.exec(select(FamilyPlan).where(FamilyPlan.household_id.in_(ids)))} if ids else {}
    teams = {t.household_id: t for t in db.exec(select(FamilyTeam).where(FamilyTeam.household_id.in_(ids)))} if ids else {}
    return render_template("families/index.html", page=page, plans=plans, teams=teams, search=search,
                           team_run=latest_team_run(db, current_user.organisation_id, None))


def _start_team_run(household_id: int | None) -> None:
    """Record the run and put it on the queue; the page it returns to shows its progress."""
    try:
        run = queue_team_run(get_db(), current_user, household_id)
    except TeamRunActive:
        flash(_("A team proposal is already being made: its progress is shown below."), "info")
    except DomainError as error:
        flash(error_message(error), "error")
    else:
        enqueue("family_teams", run.id)
        flash(_("The team proposal has been started; it is shown here when it is ready."), "success")


@bp.post("/teamforslag")
def propose_all() -> Response:
    """Team proposals for every family waiting for a team, as one run on the queue."""
    require_area("coordinator")
    _start_team_run(None)
    return redirect(url_for("families.index") + "#team-run")


def run_message(run: FamilyTeamRun) -> str:
    """Where a team proposal is, in the reader's words (the page and the status URL)."""
    if run.status == "queued":
        return _("Waiting for the proposal to start.")
    if run.status == "running" and run.phase == "solving":
        return _("Composing the teams for %(total)s families (at most %(seconds)s seconds).",
                 total=format_number(run.families_total),
                 seconds=format_number(TIME_LIMIT_S["household" if run.household_id else "waiting"]))
    if run.status == "running" and run.phase == "storing":
        return _("Saving the proposals: %(done)s of %(total)s families.", done=format_number(run.families_done),
                 total=format_number(run.families_total))
    if run.status == "running":
        return _("Reading the families' needs and who may be on their teams.")
    if run.status == "failed":
        return _(run.error) if run.error in TEAM_RUN_ERRORS else _("The team proposal could not be made.")
    return _("Done: %(proposed)s of %(total)s families have a proposed team.", proposed=format_number(run.proposed),
             total=format_number(run.families_total))


@bp.get("/teamforslag/<int:run_id>/status")
def team_run_status(run_id: int) -> dict:
    run = load(FamilyTeamRun, run_id, "show")
    # The page that polls this reloads itself once the run is no longer queued or running.
    return {"status": run.status, "phase": run.phase, "done": run.families_done, "total": run.families_total,
            "gap": run.gap, "message": run_message(run)}


# --- the plan -----------------------------------------------------------------------------------

@bp.get("/<int:household_id>")
def plan(household_id: int) -> Response:
    household = load(Household, household_id)
    _viewed("FamilyPlan", household.id, part="plan")
    return _plan_page(household)


@bp.post("/<int:household_id>/droemme")
def dreams(household_id: int) -> Response:
    household = load(Household, household_id, "update")
    form = DreamsForm(prefix="dreams")
    if form.validate_on_submit():
        try:
            ops.save_dreams(get_db(), current_user, household.id, form.dreams.data, form.shared.data,
                            submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
        except DomainError as error:
            apply_domain_error(form, error, error_message(error))
            return _plan_page(household, 400, dreams_form=form)
        else:
            flash(_("The dreams are saved."), "success")
            return redirect(url_for("families.plan", household_id=household.id) + "#dreams")
    return _plan_page(household, 400, dreams_form=form) if form.is_submitted() and form.errors else \
        redirect(url_for("families.plan", household_id=household.id))


@bp.post("/<int:household_id>/maal")
def add_goal(household_id: int) -> Response:
    household = load(Household, household_id, "update")
    view = queries.plan_view(get_db(), household)
    form = _forms(view)["goal_form"]
    if form.validate_on_submit():
        try:
            ops.add_goal(get_db(), current_user, household.id, int(form.member.data) if form.member.data else None,
                         form.life_area.data, form.title.data, form.worries.data, form.works.data,
                         form.next_steps.data, form.shared.data, form.family_may_read.data,
                         submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
        except DomainError as error:
            apply_domain_error(form, error, error_message(error))
            return _plan_page(household, 400, goal_form=form)
        else:
            flash(_("The goal is saved."), "success")
        return redirect(url_for("families.plan", household_id=household.id) + "#goals")
    return _plan_page(household, 400, goal_form=form)


@bp.post("/maal/<int:goal_id>/status")
def goal_status(goal_id: int) -> Response:
    goal = load(FamilyGoal, goal_id, "update")
    household_id = get_db().get(FamilyPlan, goal.plan_id).household_id
    form = StatusForm()
    form.status.choices = [(s, s) for s in GOAL_STATUSES]
    if form.validate_on_submit():
        try:
            ops.set_goal_status(get_db(), current_user, goal.id, form.status.data)
        except DomainError as error:
            flash(error_message(error), "error")
        else:
            flash(_("The goal's status is saved."), "success")
    else:
        flash(_("Choose a status."), "error")
    return redirect(url_for("families.plan", household_id=household_id) + "#goals")


@bp.post("/<int:household_id>/aftaler")
def add_agreement(household_id: int) -> Response:
    household = load(Household, household_id, "update")
    view = queries.plan_view(get_db(), household)
    form = _forms(view)["agreement_form"]
    if form.validate_on_submit():
        kind, owner_id = _parse_owner(form.owner.data)
        try:
            ops.add_agreement(get_db(), current_user, household.id, form.text.data, kind, owner_id, form.due_on.data,
                              int(form.goal.data) if form.goal.data else None, form.shared.data,
                              form.family_may_read.data, submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
        except DomainError as error:
            apply_domain_error(form, error, error_message(error))
            return _plan_page(household, 400, agreement_form=form)
        else:
            flash(_("The agreement is saved."), "success")
        return redirect(url_for("families.plan", household_id=household.id) + "#agreements")
    return _plan_page(household, 400, agreement_form=form)


@bp.post("/aftaler/<int:agreement_id>/status")
def agreement_status(agreement_id: int) -> Response:
    agreement = load(FamilyAgreement, agreement_id, "update")
    household_id = get_db().get(FamilyPlan, agreement.plan_id).household_id
    form = StatusForm()
    form.status.choices = [(s, s) for s in AGREEMENT_STATUSES]
    if form.validate_on_submit():
        try:
            ops.set_agreement_status(get_db(), current_user, agreement.id, form.status.data, today())
        except DomainError as error:
            flash(error_message(error), "error")
        else:
            flash(_("The agreement's status is saved."), "success")
    else:
        flash(_("Choose a status."), "error")
    return redirect(url_for("families.plan", household_id=household_id) + "#agreements")


@bp.get("/<int:household_id>/plan.pdf")
def plan_pdf(household_id: int) -> Response:
    from web.families.pdf import plan_pdf as render_pdf

    household = load(Household, household_id)
    view = queries.plan_view(get_db(), household, for_family=True)
    _viewed("FamilyPlan", household.id, part="printed plan")
    response = make_response(render_pdf(view, today()))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="familiens-plan-{household.id}.pdf"'
    return response


# --- meetings and progress ------------------------------------------------------------------------

def _meeting_form(view: queries.PlanView) -> MeetingForm:
    form = MeetingForm()
    form.agreement_owner.choices = _owner_choices(view)
    if not form.is_submitted():
        form.held_on.data = today()
    return form


@bp.route("/<int:household_id>/moede", methods=["GET", "POST"])
def meeting(household_id: int) -> Response | str:
    household = load(Household, household_id, "update")
    view = queries.plan_view(get_db(), household)
    form = _meeting_form(view)
    open_goals = [g for g in view.goals if g.status == "open"]
    if form.validate_on_submit():
        kind, owner_id = _parse_owner(form.agreement_owner.data)
        statuses = {g.id: request.form.get(f"goal-{g.id}") for g in open_goals
                    if request.form.get(f"goal-{g.id}") in GOAL_STATUSES}
        try:
            ops.hold_meeting(get_db(), current_user, household.id, form.held_on.data, form.kind.data,
                             form.participants.data, form.agreed.data,
                             {"text": form.agreement_text.data, "owner_kind": kind, "owner_id": owner_id,
                              "due_on": form.agreement_due_on.data},
                             statuses, today=today(), submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
        except DomainError as error:
            if error.field == "owner":
                error.field = "agreement_owner"
            elif error.field == "text":
                error.field = "agreement_text"
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("The meeting is saved in the plan."), "success")
            return redirect(url_for("families.plan", household_id=household.id) + "#meetings")
    status = 400 if form.is_submitted() else 200
    return make_response(render_template("families/meeting.html", household=household, form=form, view=view,
                                         open_goals=open_goals, goal_statuses=GOAL_STATUSES), status)


def _parse_answer(graded: Measure | None, raw: str) -> bool | int | None:
    """A radio's "yes"/"no", or a graded measure's level ("1".."n"); anything else is "don't know".
    A number outside the scale reaches the operation, which refuses it with a message."""
    if graded is None:
        return {"yes": True, "no": False}.get(raw)
    return int(raw) if raw.isdigit() and len(raw) < 4 else None


def _progress_context(household: Household, view: queries.PlanView) -> dict:
    db = get_db()
    program_ids = list(db.exec(select(Request.program_id).where(Request.household_id == household.id)))
    measures = ops.program_measures(db, household.organisation_id, program_ids)
    return {"measures": measures, "members": list(view.members.values())}


@bp.route("/<int:household_id>/fremskridt", methods=["GET", "POST"])
def progress(household_id: int) -> Response | str:
    household = load(Household, household_id, "update")
    view = queries.plan_view(get_db(), household)
    context = _progress_context(household, view)
    form = ProgressForm()
    form.meeting.choices = [("", "—"), *[(str(m.id), f"{m.held_on:%d-%m-%Y}") for m in view.meetings]]
    if not form.is_submitted():
        form.recorded_on.data = today()
        form.moment.data = "meeting" if view.progress else "entry"
    answers = {}
    for member in context["members"]:
        for measure in context["measures"]:
            answers[(member.id, measure.id)] = request.form.get(f"m-{member.id}-{measure.id}", "")
    if form.validate_on_submit():
        graded = {m.id: m for m in context["measures"] if m.graded}
        values = {key: _parse_answer(graded.get(key[1]), v) for key, v in answers.items()}
        try:
            count = ops.record_progress(get_db(), current_user, household.id, form.moment.data, form.recorded_on.data,
                                        values, today(), int(form.meeting.data) if form.meeting.data else None,
                                        submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
        except DomainError as error:
            apply_domain_error(form, error, error_message(error))
        else:
            flash(ngettext("%(num)s answer is saved.", "%(num)s answers are saved.", count), "success")
            return redirect(url_for("families.plan", household_id=household.id) + "#progress")
    status = 400 if form.is_submitted() else 200
    return make_response(render_template("families/progress.html", household=household, form=form, view=view,
                                         answers=answers, **context), status)


# --- the team -----------------------------------------------------------------------------------

def _team_form(household: Household, view: queries.PlanView) -> TeamForm:
    form = TeamForm()
    actors = load_actors(get_db(), household.organisation_id)
    names = {a.key: a for a in actors}
    choices = [(a.key, f"{a.name} ({label('owner_kind', a.kind)})") for a in actors]
    form.members.choices = choices
    form.primary.choices = [("", "—"), *choices]
    if not form.is_submitted():
        proposal = (view.team.proposal if view.team else {}) or {}
        current = [f"volunteer:{m.volunteer_id}" if m.volunteer_id else f"professional:{m.professional_id}"
                   for m in view.team_members]
        use_proposal = request.args.get("forslag") == "1" and proposal.get("members") is not None
        form.members.data = [m["key"] for m in proposal["members"]] if use_proposal else current
        primary = proposal.get("primary") if use_proposal else next(
            (k for k, m in zip(current, view.team_members, strict=True) if m.primary), "")
        form.primary.data = primary or ""
        form.version.data = view.team.version if view.team else None
    form.actors = names  # type: ignore[attr-defined]
    return form


@bp.get("/<int:household_id>/team")
def team(household_id: int) -> str:
    household = load(Household, household_id)
    _viewed("FamilyTeam", household.id)
    view = queries.plan_view(get_db(), household, shared_only=False)
    return _team_page(household, view, _team_form(household, view))


def _team_page(household: Household, view: queries.PlanView, form: TeamForm, status: int = 200) -> Response:
    competences = {c.id: c for c in _competences(active_only=False)}
    professionals = view.professionals
    page = render_template("families/team.html", household=household, view=view, form=form,
                           proposal=(view.team.proposal if view.team else {}) or {}, competences=competences,
                           professionals=professionals,
                           team_run=latest_team_run(get_db(), household.organisation_id, household.id))
    return make_response(page, status)


@bp.post("/<int:household_id>/team/forslag")
def propose(household_id: int) -> Response:
    """Only queues the proposal: the team page shows its progress, then the proposal."""
    household = load(Household, household_id, "update")
    _start_team_run(household.id)
    return redirect(url_for("families.team", household_id=household.id, forslag=1) + "#team-run")


@bp.post("/<int:household_id>/team")
def save_team(household_id: int) -> Response:
    household = load(Household, household_id, "update")
    view = queries.plan_view(get_db(), household)
    form = _team_form(household, view)
    if form.validate_on_submit():
        roles = {key: (request.form.get(f"role-{key}") or "").strip() for key in form.members.data or []}
        try:
            set_team(get_db(), current_user, household.id, list(form.members.data or []), form.primary.data or None,
                     today(), roles=roles, expected_version=form.version.data, submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
        except DomainError as error:
            apply_domain_error(form, error, error_message(error))
            return _team_page(household, queries.plan_view(get_db(), household), form, 400)
        else:
            flash(_("The team is approved."), "success")
        return redirect(url_for("families.team", household_id=household.id))
    return _team_page(household, view, form, 400)


@bp.route("/frivillige/<int:volunteer_id>/kompetencer", methods=["GET", "POST"])
def volunteer_competences(volunteer_id: int) -> Response | str:
    volunteer = load(Volunteer, volunteer_id, "screen")
    db = get_db()
    row = db.exec(select(VolunteerCompetence).where(VolunteerCompetence.volunteer_id == volunteer.id)).first()
    form = VolunteerCompetenceForm()
    form.competences.choices = [(c.id, competence_name(c)) for c in _competences()]
    if not form.is_submitted() and row is not None:
        form.competences.data = row.competence_ids
        form.family_capacity.data = row.family_capacity
    if form.validate_on_submit():
        try:
            ops.set_volunteer_competences(db, current_user, volunteer.id, form.competences.data or [],
                                          form.family_capacity.data)
        except DomainError as error:
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("The volunteer's competences are saved."), "success")
            return redirect(url_for("coordinator.volunteer", volunteer_id=volunteer.id))
    return make_response(render_template("families/volunteer_competences.html", volunteer=volunteer, form=form),
                         400 if form.is_submitted() else 200)


# --- professionals ------------------------------------------------------------------------------

@bp.get("/fagpersoner")
def professionals() -> str:
    require_area("coordinator")
    search = (request.args.get("q") or "").strip()[:100]
    stmt = select(Professional).where(Professional.organisation_id == current_user.organisation_id)
    if search:
        stmt = stmt.where(Professional.name.ilike(f"%{search}%") | Professional.unit.ilike(f"%{search}%"))
    page = paginate(get_db(), stmt.order_by(Professional.name, Professional.id))
    competences = {c.id: c for c in _competences(active_only=False)}
    return render_template("families/professionals.html", page=page, search=search, competences=competences)


def _professional_form(record: Professional | None) -> ProfessionalForm:
    form = ProfessionalForm(obj=record if record is not None and request.method == "GET" else None)
    form.competences.choices = [(c.id, competence_name(c)) for c in _competences()]
    form.languages.choices = sorted(((c, vocab_label(v)) for c, v in LANGUAGES.items()), key=lambda kv: kv[1])
    if record is not None and request.method == "GET":
        form.competences.data = record.competence_ids
        form.languages.data = record.languages
    return form


def _save_professional(record: Professional | None) -> Response | str:
    form = _professional_form(record)
    if form.validate_on_submit():
        try:
            saved = ops.save_professional(get_db(), current_user, record.id if record else None, name=form.name.data,
                                          unit=form.unit.data, phone=form.phone.data, email=form.email.data,
                                          competence_ids=form.competences.data or [],
                                          languages=form.languages.data or [], capacity=form.capacity.data,
                                          active=form.active.data, submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(url_for("families.professionals"))
        except DomainError as error:
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("%(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("families.professionals"))
    return make_response(render_template("families/professional.html", form=form, record=record),
                         400 if form.is_submitted() else 200)


@bp.route("/fagpersoner/ny", methods=["GET", "POST"])
def new_professional() -> Response | str:
    require("create", record_type="Professional")
    return _save_professional(None)


@bp.route("/fagpersoner/<int:professional_id>", methods=["GET", "POST"])
def professional(professional_id: int) -> Response | str:
    record = load(Professional, professional_id, "update")
    return _save_professional(record)


# --- the admin's lists --------------------------------------------------------------------------

@bp.route("/kompetencer", methods=["GET", "POST"])
def competences() -> Response | str:
    require_area("admin")
    form = CompetenceForm()
    form.life_area.choices = [("", "—"), *[(a, label("life_area", a)) for a in LIFE_AREAS]]
    if form.validate_on_submit():
        try:
            ops.add_competence(get_db(), current_user, form.name.data, form.life_area.data or None)
        except DomainError as error:
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("The competence is added to the list."), "success")
            return redirect(url_for("families.competences"))
    return make_response(render_template("families/competences.html", form=form,
                                         competences=_competences(active_only=False)),
                         400 if form.is_submitted() else 200)


@bp.post("/kompetencer/<int:competence_id>")
def competence_active(competence_id: int) -> Response:
    record = load(Competence, competence_id, "update")
    try:
        ops.set_competence_active(get_db(), current_user, record.id, request.form.get("active") == "1")
    except DomainError as error:
        flash(error_message(error), "error")
    else:
        flash(_("The list of competences is saved."), "success")
    return redirect(url_for("families.competences"))


@bp.route("/programmer/<int:program_id>/maal", methods=["GET", "POST"])
def program_measures(program_id: int) -> Response | str:
    program = load(Program, program_id, "update")
    db = get_db()
    form = MeasuresForm()
    measures = list(db.exec(select(Measure).where(Measure.organisation_id == program.organisation_id)
                            .order_by(Measure.id)))
    form.measures.choices = [(m.id, measure_name(m)) for m in measures]
    if not form.is_submitted():
        form.measures.data = list(db.exec(select(ProgramMeasure.measure_id).where(ProgramMeasure.program_id == program.id)))
    if form.validate_on_submit():
        try:
            ops.choose_measures(db, current_user, program.id, form.measures.data or [])
        except DomainError as error:
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("The programme's measures are saved."), "success")
            return redirect(url_for("families.program_measures", program_id=program.id))
    return make_response(render_template("families/measures.html", program=program, form=form, measures=measures,
                                         measure_form=MeasureForm(prefix="new")),
                         400 if form.is_submitted() else 200)


@bp.post("/programmer/<int:program_id>/maal/nyt")
def add_measure(program_id: int) -> Response:
    program = load(Program, program_id, "update")
    form = MeasureForm(prefix="new")
    if form.validate_on_submit():
        try:
            ops.add_measure(get_db(), current_user, form.name.data, form.applies_to.data)
        except DomainError as error:
            flash(error_message(error), "error")
        else:
            flash(_("The measure is added; tick it to use it in the programme."), "success")
    else:
        flash(_("Write the question before saving it."), "error")
    return redirect(url_for("families.program_measures", program_id=program.id))


# --- the volunteer's part -------------------------------------------------------------------------

def _volunteer_household(household_id: int) -> Household:
    require_area("volunteer")
    household = get_db().get(Household, household_id) if 0 < household_id < 2**31 else None
    own = own_volunteer(current_user)
    if household is None or household.organisation_id != current_user.organisation_id or own is None \
            or not queries.on_team(get_db(), own.id, household.id):
        abort(404)
    require("show_shared", household)
    return household


@bp.get("/min-familie/<int:household_id>")
def volunteer_plan(household_id: int) -> str:
    household = _volunteer_household(household_id)
    view = queries.plan_view(get_db(), household, shared_only=True)
    _viewed("FamilyPlan", household.id, part="shared with the team")
    return render_template("families/volunteer_plan.html", household=household, view=view,
                           own=own_volunteer(current_user))


@bp.post("/min-familie/aftaler/<int:agreement_id>/udfoert")
def volunteer_done(agreement_id: int) -> Response:
    require_area("volunteer")
    db = get_db()
    agreement = db.get(FamilyAgreement, agreement_id) if 0 < agreement_id < 2**31 else None
    own = own_volunteer(current_user)
    if agreement is None or own is None or agreement.owner_volunteer_id != own.id \
            or agreement.organisation_id != current_user.organisation_id:
        abort(404)
    require("mark_done", agreement)
    try:
        ops.volunteer_marks_done(db, current_user, agreement.id, today())
    except DomainError as error:
        flash(error_message(error), "error")
    else:
        flash(_("The agreement is marked done. Thank you!"), "success")
    target = request.form.get("next")
    if target == "plan":
        household_id = db.get(FamilyPlan, agreement.plan_id).household_id
        return redirect(url_for("families.volunteer_plan", household_id=household_id))
    return redirect(url_for("volunteer.home"))
