"""The team around a family: proposed with CP-SAT (optimizer.teams), approved or composed by hand.

The hard rules are the same for a proposal and for a team a coordinator puts together: a
volunteer must be approved (screening done), willing to support families, within the
programme's distance of the family and not excluded from any of its requests; nobody may be on
more teams than their capacity. ``set_team`` checks them again on locked rows, so two
coordinators giving the last place of one professional to two families cannot both win.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlmodel import Session, select

from matching.geo import haversine_km, lookup_postcode
from models.audit import record_audit
from models.clock import utcnow
from models.errors import N_, Conflict, DomainError, NotFound
from models.families.operations import ensure_catalogue
from models.families.tables import (
    Competence,
    FamilyGoal,
    FamilyPlan,
    FamilyTeam,
    Professional,
    TeamMember,
    VolunteerCompetence,
)
from models.matches import Exclusion, Match
from models.mentees import Household, Request
from models.organisations import Program
from models.volunteers import Volunteer
from models.writes import begin_write, claim_submission, lock, lock_all, shared_write
from optimizer.teams import compose_teams

DEFAULT_DISTANCE_KM = 25.0
FIT_WEIGHTS = {"competences": 0.6, "language": 0.25, "continuity": 0.15}
PRIMARY_WEIGHTS = {"language": 0.4, "continuity": 0.3, "competences": 0.3}


def actor_key(kind: str, actor_id: int) -> str:
    return f"{kind}:{actor_id}"


def parse_actor_key(key: str) -> tuple[str, int] | None:
    kind, _, raw = (key or "").partition(":")
    if kind not in ("volunteer", "professional") or not raw.isdigit():
        return None
    return kind, int(raw)


@dataclass
class Actor:
    kind: str  # volunteer | professional
    id: int
    name: str
    competences: frozenset[int]
    capacity: int  # families at once
    load: int  # teams they are on now
    languages: frozenset[str]
    postcode: str | None = None  # volunteers only: the distance rule
    phone: str = ""
    email: str = ""
    unit: str = ""

    @property
    def key(self) -> str:
        return actor_key(self.kind, self.id)


@dataclass
class FamilyNeeds:
    household: Household
    needs: tuple[int, ...]  # competence ids its open goals need
    max_km: float
    excluded: frozenset[int]  # volunteer ids
    known: frozenset[str]  # actor keys who already know the family (team, matches)
    team: list[TeamMember] = field(default_factory=list)


def load_actors(session: Session, organisation_id: int) -> list[Actor]:
    """Every volunteer and professional who may be on a family's team, with their load now."""
    vc = {row.volunteer_id: row for row in session.exec(
        select(VolunteerCompetence).join(Volunteer, Volunteer.id == VolunteerCompetence.volunteer_id)
        .where(Volunteer.organisation_id == organisation_id))}
    loads: dict[str, int] = {}
    for vid, pid in session.exec(select(TeamMember.volunteer_id, TeamMember.professional_id)
                                 .where(TeamMember.organisation_id == organisation_id)):
        key = actor_key("volunteer", vid) if vid is not None else actor_key("professional", pid)
        loads[key] = loads.get(key, 0) + 1
    actors = []
    for v in session.exec(select(Volunteer).where(Volunteer.organisation_id == organisation_id,
                                                  Volunteer.status == "approved", Volunteer.anonymised_at.is_(None),
                                                  Volunteer.supports.in_(("family", "either")))
                          .order_by(Volunteer.id)):
        row = vc.get(v.id)
        actors.append(Actor("volunteer", v.id, v.name, frozenset(row.competence_ids if row else ()),
                            row.family_capacity if row else 1, loads.get(actor_key("volunteer", v.id), 0),
                            frozenset(v.languages or {}), v.postcode, v.phone, v.email))
    for p in session.exec(select(Professional).where(Professional.organisation_id == organisation_id,
                                                     Professional.active).order_by(Professional.id)):
        actors.append(Actor("professional", p.id, p.name, frozenset(p.competence_ids), p.capacity,
                            loads.get(actor_key("professional", p.id), 0), frozenset(p.languages), None, p.phone,
                            p.email, p.unit))
    return actors


def load_needs(session: Session, households: list[Household]) -> list[FamilyNeeds]:
    ids = [h.id for h in households]
    if not ids:
        return []
    plans = {p.household_id: p.id for p in session.exec(select(FamilyPlan).where(FamilyPlan.household_id.in_(ids)))}
    needs: dict[int, set[int]] = {}
    for plan_id, competence_id in session.exec(select(FamilyGoal.plan_id, FamilyGoal.competence_id)
                                               .where(FamilyGoal.plan_id.in_(list(plans.values())),
                                                      FamilyGoal.status == "open")):
        if competence_id is not None:
            needs.setdefault(plan_id, set()).add(competence_id)
    requests = list(session.exec(select(Request).where(Request.household_id.in_(ids))))
    programs = {p.id: p for p in session.exec(select(Program).where(Program.id.in_({r.program_id for r in requests})))} \
        if requests else {}
    km: dict[int, float] = {}
    for r in requests:
        km[r.household_id] = max(km.get(r.household_id, 0.0), programs[r.program_id].max_distance_km)
    request_household = {r.id: r.household_id for r in requests}
    excluded: dict[int, set[int]] = {}
    known: dict[int, set[str]] = {}
    if requests:
        for rid, vid in session.exec(select(Exclusion.request_id, Exclusion.volunteer_id)
                                     .where(Exclusion.request_id.in_(list(request_household)))):
            excluded.setdefault(request_household[rid], set()).add(vid)
        for rid, vid in session.exec(select(Match.request_id, Match.volunteer_id)
                                     .where(Match.request_id.in_(list(request_household)))):
            known.setdefault(request_household[rid], set()).add(actor_key("volunteer", vid))
    teams = {t.id: t.household_id for t in session.exec(select(FamilyTeam).where(FamilyTeam.household_id.in_(ids)))}
    members: dict[int, list[TeamMember]] = {}
    if teams:
        for m in session.exec(select(TeamMember).where(TeamMember.team_id.in_(list(teams))).order_by(TeamMember.id)):
            members.setdefault(teams[m.team_id], []).append(m)
            known.setdefault(teams[m.team_id], set()).add(
                actor_key("volunteer", m.volunteer_id) if m.volunteer_id else actor_key("professional", m.professional_id))
    return [FamilyNeeds(h, tuple(sorted(needs.get(plans.get(h.id, -1), ()))), km.get(h.id, DEFAULT_DISTANCE_KM),
                        frozenset(excluded.get(h.id, ())), frozenset(known.get(h.id, ())), members.get(h.id, []))
            for h in households]


def _coordinates(postcodes: list[str | None]) -> np.ndarray:
    out = np.full((len(postcodes), 2), np.nan)
    for i, code in enumerate(postcodes):
        place = lookup_postcode(code) if code else None
        if place is not None:
            out[i] = (place.lat, place.lon)
    return out


def allowed_matrix(families: list[FamilyNeeds], actors: list[Actor]) -> np.ndarray:
    """Which actor may be on which family's team: the hard rules, families x actors."""
    allowed = np.ones((len(families), len(actors)), dtype=bool)
    vol = np.array([a.kind == "volunteer" for a in actors], dtype=bool)
    if vol.any() and families:
        fam_xy = _coordinates([f.household.postcode for f in families])
        act_xy = _coordinates([a.postcode for a in actors])
        km = haversine_km(fam_xy[:, 0:1], fam_xy[:, 1:2], act_xy[None, :, 0], act_xy[None, :, 1])
        limit = np.array([f.max_km for f in families])[:, None]
        near = np.nan_to_num(km, nan=np.inf) <= limit
        allowed &= ~vol[None, :] | near
        index = {a.id: j for j, a in enumerate(actors) if a.kind == "volunteer"}
        for i, f in enumerate(families):
            for vid in f.excluded:
                if vid in index:
                    allowed[i, index[vid]] = False
    return allowed


def _scores(families: list[FamilyNeeds], actors: list[Actor]) -> tuple[np.ndarray, ...]:
    """Per pair: share of the family's needs the actor has, shared language, knows the family."""
    competences = sorted({k for f in families for k in f.needs} | {k for a in actors for k in a.competences})
    col = {k: j for j, k in enumerate(competences)}
    need = np.zeros((len(families), len(competences)), dtype=np.float32)
    for i, f in enumerate(families):
        need[i, [col[k] for k in f.needs]] = 1
    have = np.zeros((len(actors), len(competences)), dtype=np.float32)
    for j, a in enumerate(actors):
        have[j, [col[k] for k in a.competences]] = 1
    share = (need @ have.T) / np.maximum(need.sum(axis=1, keepdims=True), 1)
    languages = sorted({c for f in families for c in (f.household.languages or {}) if c != "da"}
                       | {c for a in actors for c in a.languages if c != "da"})
    lcol = {c: j for j, c in enumerate(languages)}
    fam_l = np.zeros((len(families), len(languages)), dtype=np.float32)
    for i, f in enumerate(families):
        fam_l[i, [lcol[c] for c in (f.household.languages or {}) if c in lcol]] = 1
    act_l = np.zeros((len(actors), len(languages)), dtype=np.float32)
    for j, a in enumerate(actors):
        act_l[j, [lcol[c] for c in a.languages if c in lcol]] = 1
    language = ((fam_l @ act_l.T) > 0).astype(np.float32)
    known = np.zeros((len(families), len(actors)), dtype=np.float32)
    index = {a.key: j for j, a in enumerate(actors)}
    for i, f in enumerate(families):
        known[i, [index[k] for k in f.known if k in index]] = 1
    return share, language, known


def _candidates(families: list[FamilyNeeds], actors: list[Actor], allowed: np.ndarray, fit: np.ndarray,
                primary_fit: np.ndarray, locked: list[tuple[int, int]],
                prune: tuple[int, int] | None) -> tuple[np.ndarray, np.ndarray]:
    """The pairs the solver looks at: every allowed pair, or for large pools per family the
    ``per_need`` best-fitting allowed actors who have each need, the ``per_family`` best primary
    contacts and the members already on the team (vectorised per competence, no loop over pairs)."""
    if prune is None or allowed.sum() <= 20000:
        return np.nonzero(allowed)
    per_need, per_family = prune
    keep = np.zeros_like(allowed)
    competences = sorted({k for f in families for k in f.needs})
    for k in competences:
        needing = np.array([k in f.needs for f in families])
        having = np.array([k in a.competences for a in actors])
        if not needing.any() or not having.any():
            continue
        scores = np.where(allowed[needing][:, having], fit[needing][:, having], -1.0)
        n = min(per_need, scores.shape[1])
        top = np.argpartition(-scores, n - 1, axis=1)[:, :n]
        rows = np.repeat(np.nonzero(needing)[0], n)
        cols = np.nonzero(having)[0][top.ravel()]
        good = scores[np.repeat(np.arange(scores.shape[0]), n), top.ravel()] >= 0
        keep[rows[good], cols[good]] = True
    n = min(per_family, allowed.shape[1])
    scores = np.where(allowed, primary_fit, -1.0)
    top = np.argpartition(-scores, n - 1, axis=1)[:, :n]
    rows = np.repeat(np.arange(allowed.shape[0]), n)
    good = scores[rows, top.ravel()] >= 0
    keep[rows[good], top.ravel()[good]] = True
    for i, j in locked:
        keep[i, j] = True
    return np.nonzero(keep & allowed)


@dataclass
class TeamRun:
    families: int
    actors: int
    proposed: int
    optimal: bool
    gap: float
    seconds: float
    status: str
    edges: int = 0


def solve(families: list[FamilyNeeds], actors: list[Actor], time_limit_s: float = 8.0,
          prune: tuple[int, int] | None = (6, 4)) -> tuple[list[dict], TeamRun]:
    """Proposed teams (one dict per family, ready to store) and how the solver did."""
    allowed = allowed_matrix(families, actors)
    share, language, known = _scores(families, actors)
    w, pw = FIT_WEIGHTS, PRIMARY_WEIGHTS
    fit = w["competences"] * share + w["language"] * language + w["continuity"] * known
    primary_fit = pw["competences"] * share + pw["language"] * language + pw["continuity"] * known
    index = {a.key: j for j, a in enumerate(actors)}
    locked, locked_primary = [], []
    for i, f in enumerate(families):
        primary = None
        for m in f.team:
            key = actor_key("volunteer", m.volunteer_id) if m.volunteer_id else actor_key("professional", m.professional_id)
            j = index.get(key)
            if j is not None and allowed[i, j]:
                locked.append((i, j))
                primary = j if m.primary else primary
        locked_primary.append(primary)
    # Capacity left: the load of other families' teams; the locked members of these families
    # are counted by the optimizer itself.
    own = np.zeros(len(actors), dtype=np.int64)
    for _i, j in locked:
        own[j] += 1
    capacity = np.array([max(0, a.capacity - a.load) for a in actors], dtype=np.int64) + own
    rows, cols = _candidates(families, actors, allowed, fit, primary_fit, locked, prune)
    sizes = [max(1, len(f.needs), sum(1 for i2, _ in locked if i2 == i)) for i, f in enumerate(families)]
    result = compose_teams([f.needs for f in families], [sorted(a.competences) for a in actors], capacity, rows, cols,
                           np.clip(fit[rows, cols], 0, 1), np.clip(primary_fit[rows, cols], 0, 1), locked=locked,
                           locked_primary=locked_primary, max_team_size=sizes, time_limit_s=time_limit_s)
    proposals = []
    for i, f in enumerate(families):
        members = []
        for j in result.members[i]:
            a = actors[j]
            members.append({"key": a.key, "name": a.name, "covers": sorted(a.competences & set(f.needs))})
        primary = result.primary[i]
        reasons = []
        if primary is not None:
            if language[i, primary]:
                reasons.append("language")
            if share[i, primary] > 0:
                reasons.append("competences")
            if known[i, primary]:
                reasons.append("continuity")
        proposals.append({"members": members, "primary": actors[primary].key if primary is not None else None,
                          "primary_reasons": reasons, "covered": result.covered[i],
                          "uncovered": result.uncovered[i], "optimal": result.optimal,
                          "gap": round(result.gap, 4)})
    run = TeamRun(len(families), len(actors), sum(1 for m in result.members if m), result.optimal, result.gap,
                  result.seconds, result.status, int(result.stats.get("edges_kept", 0)))
    return proposals, run


STORE_CHUNK = 100  # families whose proposals are stored per transaction (progress is shown between)


def propose_teams(session: Session, by, household_ids: list[int], today: date, time_limit_s: float = 8.0,  # noqa: ANN001
                  on_progress: Callable[[str, int], None] | None = None) -> TeamRun:
    """Propose teams for one family or a whole list at once and keep each as the family's proposal.

    Reading and solving hold no lock (a proposal is only a proposal: ``set_team`` checks every
    rule again on locked rows); the proposals are then stored in short transactions, each on
    the locked households, skipping a family erased meanwhile. ``on_progress(phase, families
    stored)`` is told "loading", "solving" and "storing" as the work goes.
    """
    report = on_progress or (lambda _phase, _done: None)
    _catalogue(session, by.organisation_id)
    report("loading", 0)
    households = list(session.exec(select(Household).where(Household.id.in_(list(household_ids)),
                                                           Household.organisation_id == by.organisation_id,
                                                           Household.anonymised_at.is_(None))
                                   .order_by(Household.id)))
    if not households:
        session.rollback()
        raise NotFound(N_("The family no longer exists."))
    families = load_needs(session, households)
    actors = load_actors(session, by.organisation_id)
    # Keep what was read as it is (a rollback would expire it): no transaction stays open while
    # the solver works.
    for f in families:
        for record in (f.household, *f.team):
            if record in session:
                session.expunge(record)
    session.rollback()
    report("solving", 0)
    proposals, run = solve(families, actors, time_limit_s=time_limit_s)
    report("storing", 0)
    done = 0
    pairs = list(zip([f.household.id for f in families], proposals, strict=True))
    for start in range(0, len(pairs), STORE_CHUNK):
        done += _store_proposals(session, by, pairs[start:start + STORE_CHUNK], today)
        report("storing", done)
    return run


@shared_write
def _catalogue(session: Session, organisation_id: int) -> None:
    begin_write(session)
    ensure_catalogue(session, organisation_id)
    session.commit()


@shared_write
def _store_proposals(session: Session, by, pairs: list[tuple[int, dict]], today: date) -> int:  # noqa: ANN001
    begin_write(session)
    proposals = dict(pairs)
    households = [h for h in lock_all(session, Household, list(proposals))
                  if h.organisation_id == by.organisation_id and h.anonymised_at is None]
    teams = {t.household_id: t for t in session.exec(select(FamilyTeam).where(
        FamilyTeam.household_id.in_([h.id for h in households])))}
    for h in households:
        team = teams.get(h.id) or FamilyTeam(organisation_id=h.organisation_id, household_id=h.id)
        team.proposal = {**proposals[h.id], "made_on": today.isoformat()}
        session.add(team)
        record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create",
                     record_type="FamilyTeam", record_id=h.id, detail={"part": "proposal"})
    session.commit()
    return len(households)


def households_without_team(session: Session, organisation_id: int) -> list[int]:
    """Families with a plan whose team has nobody on it yet (the waiting list for teams)."""
    with_members = select(FamilyTeam.household_id).join(TeamMember, TeamMember.team_id == FamilyTeam.id)
    return list(session.exec(select(FamilyPlan.household_id).join(Household, Household.id == FamilyPlan.household_id)
                             .where(FamilyPlan.organisation_id == organisation_id, Household.anonymised_at.is_(None),
                                    FamilyPlan.household_id.not_in(with_members))
                             .order_by(FamilyPlan.household_id)))


def _team_of(session: Session, household: Household) -> FamilyTeam:
    team = session.exec(select(FamilyTeam).where(FamilyTeam.household_id == household.id)
                        .execution_options(populate_existing=True)).first()
    if team is None:
        team = FamilyTeam(organisation_id=household.organisation_id, household_id=household.id)
        session.add(team)
        session.flush()
    return team


@shared_write
def set_team(session: Session, by, household_id: int, member_keys: list[str], primary_key: str | None,  # noqa: ANN001
             today: date, roles: dict[str, str] | None = None, expected_version: int | None = None,
             submit_key: str | None = None) -> FamilyTeam:
    """Approve a proposal, change a team or compose one by hand: the rules are checked again."""
    begin_write(session)
    claim_submission(session, submit_key, "family_team", user_id=by.id,
                     already=N_("This team has already been saved."))
    keys = [parse_actor_key(k) for k in member_keys]
    if any(k is None for k in keys):
        raise DomainError(N_("Choose team members from the list."), field="members")
    chosen = sorted(set(keys))  # type: ignore[arg-type]
    if chosen and primary_key not in [actor_key(*k) for k in chosen]:
        raise DomainError(N_("Choose the primary contact among the team's members."), field="primary")
    # Locks in the global order: volunteers, professionals, then the household and its team.
    volunteers = lock_all(session, Volunteer, [i for kind, i in chosen if kind == "volunteer"])
    professionals = lock_all(session, Professional, [i for kind, i in chosen if kind == "professional"])
    household = lock(session, Household, household_id, missing=N_("The family no longer exists."))
    if household.organisation_id != by.organisation_id or household.anonymised_at is not None:
        raise NotFound(N_("The family no longer exists."))
    team = _team_of(session, household)
    if expected_version is not None and team.version != expected_version:
        raise Conflict(N_("Someone else changed this family's team meanwhile. Nothing was saved; look at the "
                          "team as it is now and try again."))
    if len(volunteers) + len(professionals) != len(chosen) or any(
            r.organisation_id != by.organisation_id for r in [*volunteers, *professionals]):
        raise DomainError(N_("Choose team members from the list."), field="members")
    family = load_needs(session, [household])[0]
    actors = {a.key: a for a in load_actors(session, by.organisation_id)}
    current = {actor_key("volunteer", m.volunteer_id) if m.volunteer_id else actor_key("professional", m.professional_id)
               for m in family.team}
    wanted = [actor_key(*k) for k in chosen]
    for key in wanted:
        actor = actors.get(key)
        if actor is None:
            raise DomainError(N_("%(name)s cannot be on a family's team: a volunteer must be approved and willing "
                                 "to support families, a professional active."), field="members",
                              name=_name(volunteers, professionals, key))
        if not allowed_matrix([family], [actor])[0, 0]:
            raise DomainError(N_("%(name)s cannot be on this family's team: they live too far away or may not be "
                                 "proposed to this family."), field="members", name=actor.name)
        load = actor.load - (1 if key in current else 0)
        if key not in current and load >= actor.capacity:
            raise DomainError(N_("%(name)s already has as many families as they can carry (%(capacity)d)."),
                              field="members", name=actor.name, capacity=actor.capacity)
    roles = roles or {}
    existing = {actor_key("volunteer", m.volunteer_id) if m.volunteer_id else actor_key("professional", m.professional_id): m
                for m in family.team}
    for key, member in existing.items():
        if key not in wanted:
            session.delete(member)
    session.flush()
    for key in wanted:
        kind, actor_id = parse_actor_key(key)  # type: ignore[misc]
        member = existing.get(key) or TeamMember(organisation_id=household.organisation_id, team_id=team.id,
                                                 added_on=today, **{f"{kind}_id": actor_id})
        member.primary = key == primary_key
        member.role = (roles.get(key) or member.role or "")[:200]
        session.add(member)
    team.version += 1
    team.approved_at = utcnow()
    team.approved_by_id = by.id
    session.add(team)
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="update",
                 record_type="FamilyTeam", record_id=household.id,
                 detail={"members": wanted, "primary": primary_key})
    session.commit()
    return team


def _name(volunteers: list[Volunteer], professionals: list[Professional], key: str) -> str:
    kind, actor_id = parse_actor_key(key)  # type: ignore[misc]
    for record in volunteers if kind == "volunteer" else professionals:
        if record.id == actor_id:
            return record.name
    return key


def competence_names(session: Session, organisation_id: int) -> dict[int, Competence]:
    return {c.id: c for c in session.exec(select(Competence).where(Competence.organisation_id == organisation_id)
                                          .order_by(Competence.id))}
