"""What the coaching changed, in the demo: the learning situation at intake and at closing, the staff a
trajectory reached, the invitations to the questionnaires with their reminders, and the companies' answers.

- Most trajectories that started have a baseline, recorded on the day of the intake session by whoever
  logged it (the demo promoter for its own projects; nobody with a demo log-in for the other promoters'),
  or now and then by the sector consultant who did the intake. Situational and informational barriers are
  met most, financial and digital ones least; about a third of the companies has a training policy.
- The closing evaluations are the ones ``Block.evaluation`` always made (about two in three completed
  trajectories answer, from the summer of 2026); here they gain learning transfer and motivation, the
  distinct employees who took part and what the company keeps doing, and the learning situation at
  closing: some barriers removed, more training policies (about 35 % before, 55 % after).
- The promoter counted the distinct employees reached at completion for most completed trajectories.
- The questionnaires went out from ``QUESTIONNAIRES_FROM`` on (``demo.dates``): the evaluation and the
  exit questionnaire when the trajectory ended, or on that day for those that had ended before; the
  follow-up six months after the end, or on that day when those six months were over before. About
  45 % answer the follow-up and half the exit questionnaire, within a few weeks; the unanswered ones
  were reminded on days 14 and 30 as far as the horizon reaches.

Every draw comes from a generator of its own, never from the block's main one, so the companies,
applications, sessions and evaluations (and every figure of question 244) stay what they were.
"""

import datetime
import random
from collections.abc import Callable

from demo.dates import HORIZON, QUESTIONNAIRES_FROM
from participants.models import (
    REMINDER_DAYS,
    STARTED_STATUSES,
    Application,
    ApplicationStatus,
    Barrier,
    Company,
    Evaluation,
    ExitAnswer,
    FollowUp,
    Invitation,
    LearningForm,
    LearningSituation,
    Questionnaire,
    SituationMoment,
    StartAgain,
    StopReason,
    follow_up_due_on,
)
from participants.services.outcomes import SituationAnswers, situation_at
from trajects.size_classes import SizeClass
from voorsprong.models import User

# The share of the companies that meets each barrier at intake, and how much it weighs when met (the
# barrier that weighs most is drawn among those met by these weights).
BARRIERS = {
    Barrier.SITUATIONAL: (0.70, 5),
    Barrier.INFORMATIONAL: (0.55, 3),
    Barrier.DISPOSITIONAL: (0.35, 3),
    Barrier.INSTITUTIONAL: (0.30, 2),
    Barrier.FINANCIAL: (0.15, 2),
    Barrier.DIGITAL: (0.12, 1),
}
# The chance that a barrier met at intake is gone at closing: knowing the offer is what coaching brings
# most; time and money stay scarce. Now and then a barrier shows up that was not met at intake.
REMOVED = {
    Barrier.INFORMATIONAL: 0.60,
    Barrier.DISPOSITIONAL: 0.40,
    Barrier.DIGITAL: 0.40,
    Barrier.INSTITUTIONAL: 0.35,
    Barrier.SITUATIONAL: 0.25,
    Barrier.FINANCIAL: 0.20,
}
NEW_BARRIER = 0.04
# A training policy at intake, by size class: a third of the companies over all. At closing most keep it
# and about a third of the others has one (about 35 % before, 55 % after).
TRAINING_POLICY = {
    SizeClass.MICRO: 0.20,
    SizeClass.SMALL: 0.30,
    SizeClass.MEDIUM: 0.45,
    SizeClass.LARGE: 0.60,
    SizeClass.NON_PROFIT: 0.45,
}
POLICY_KEPT, POLICY_ADOPTED = 0.97, 0.32
LEARNING_JOBS = {False: 0.10, True: 0.30}  # with or without a training policy
LEARNING_JOBS_KEPT, LEARNING_JOBS_ADOPTED = 0.95, 0.15
LEARNING_FORMS = {
    LearningForm.FORMAL: 0.30,
    LearningForm.NON_FORMAL: 0.55,
    LearningForm.INFORMAL: 0.85,
    LearningForm.DURING_WORKING_HOURS: 0.50,
    LearningForm.ONLINE_OR_BLENDED: 0.35,
}
FORM_KEPT, FORM_ADOPTED = 0.95, 0.30
# The share of low-skilled employees by the company's activity (the first two digits of its NACE code).
LOW_SKILLED = {
    "10": (0.35, 0.65),  # bakery
    "25": (0.30, 0.60),  # metalwork
    "41": (0.30, 0.60),  # construction
    "43": (0.30, 0.55),  # installation
    "45": (0.20, 0.45),  # garage
    "46": (0.10, 0.30),  # wholesale
    "47": (0.20, 0.50),  # retail
    "49": (0.30, 0.60),  # transport
    "56": (0.35, 0.70),  # brasserie
    "62": (0.00, 0.08),  # IT
    "69": (0.00, 0.10),  # accountancy
    "70": (0.00, 0.10),  # consultancy
    "85": (0.00, 0.15),  # adult education
    "86": (0.10, 0.30),  # hospital
    "87": (0.20, 0.45),  # residential care
    "88": (0.10, 0.30),  # welfare
    "94": (0.05, 0.25),  # youth work
}
OTHER_ACTIVITY = (0.10, 0.40)
AGED_55_PLUS = (0.08, 0.28)

BASELINE_RECORDED = 0.88  # the share of the started trajectories whose baseline was logged
BY_CONSULTANT = 0.5  # of those whose intake a sector consultant did, the share the consultant logged
PROMOTER_COUNTED = 0.8  # the share of the completed trajectories the promoter counted the staff reached of
FOLLOW_UP_ANSWERED = {True: 0.55, False: 0.30}  # by whether the company answered the closing evaluation
EXIT_ANSWERED = 0.5
SAME_REASON = 0.8  # the company names the reason the promoter chose
# Days until a company answers: most before the first reminder, some after each.
ANSWER_DAYS = [((1, 13), 60), ((14, 29), 25), ((30, 45), 15)]
START_AGAIN = {
    StopReason.GOAL_REACHED: {StartAgain.YES: 5, StartAgain.MAYBE: 3, StartAgain.NO: 1},
    StopReason.BANKRUPTCY_OR_STOP: {StartAgain.YES: 0, StartAgain.MAYBE: 1, StartAgain.NO: 8},
    StopReason.NO_TIME: {StartAgain.YES: 2, StartAgain.MAYBE: 5, StartAgain.NO: 3},
    StopReason.ADMINISTRATIVE_BURDEN: {StartAgain.YES: 2, StartAgain.MAYBE: 4, StartAgain.NO: 4},
    StopReason.REORGANISATION: {StartAgain.YES: 3, StartAgain.MAYBE: 5, StartAgain.NO: 2},
    StopReason.OTHER: {StartAgain.YES: 3, StartAgain.MAYBE: 4, StartAgain.NO: 3},
}
WOULD_HAVE_HELPED = {
    StopReason.NO_TIME: "Sessies buiten de drukke periodes plannen.",
    StopReason.ADMINISTRATIVE_BURDEN: "Minder bewijsstukken en één formulier voor de rapportering.",
    StopReason.REORGANISATION: "Het traject kunnen pauzeren tot de nieuwe structuur er staat.",
    StopReason.BANKRUPTCY_OR_STOP: "",
    StopReason.GOAL_REACHED: "Een kortere versie van het traject voor wie al ver staat.",
    StopReason.OTHER: "Eén vast aanspreekpunt bij de promotor.",
}
KEEP_DOING = [
    "",
    "Elk jaar een opleidingsplan opmaken met de teams.",
    "Nieuwe collega's laten leren van een vaste peter of meter.",
    "Het leren bespreken in elk functioneringsgesprek.",
    "Leren tijdens de werkuren inplannen, niet erna.",
    "Opleidingen online aanbieden voor wie in ploegen werkt.",
    "Een budget per medewerker voor opleiding vrijhouden.",
]


def _answered_at(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """Return a moment during office hours on ``day`` (in UTC, so the day stays the same in Brussels)."""
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(7, 15), rng.choice((0, 15, 30, 45))), tzinfo=datetime.UTC
    )


def invitation(
    application: Application, questionnaire: str, sent_on: datetime.date, answered_on: datetime.date | None
) -> Invitation:
    """Return the invitation to ``questionnaire`` sent on ``sent_on``, with the reminders that went out
    before the company answered, or up to the horizon when it did not."""
    last = answered_on - datetime.timedelta(days=1) if answered_on else HORIZON
    reminded = [
        sent_on + datetime.timedelta(days=days)
        for days in REMINDER_DAYS
        if sent_on + datetime.timedelta(days=days) <= last
    ]
    return Invitation(
        application=application,
        questionnaire=questionnaire,
        sent_on=sent_on,
        reminders_sent=len(reminded),
        last_reminded_on=reminded[-1] if reminded else None,
    )


class Outcomes:
    """Draws the outcomes of one block's applications, each kind from a generator of its own."""

    def __init__(self, block: int, session_logger: Callable[[Application], User | None]):
        self.staff_rng = random.Random(f"voorsprong-demo-staff-{block}")
        self.situation_rng = random.Random(f"voorsprong-demo-situations-{block}")
        self.evaluation_rng = random.Random(f"voorsprong-demo-evaluations-{block}")
        self.questionnaire_rng = random.Random(f"voorsprong-demo-questionnaires-{block}")
        self.session_logger = session_logger
        # Keyed by id(): the rows have no primary key yet when they are first drawn.
        self.staff_shares: dict[int, tuple[float, float]] = {}
        self.reached: dict[int, tuple[int, int, int]] = {}
        self.after: dict[int, SituationAnswers] = {}

    # -- staff ----------------------------------------------------------------------------------
    def shares(self, company: Company) -> tuple[float, float]:
        """Return the company's shares of low-skilled employees and of employees aged 55 or over."""
        key = id(company)
        if key not in self.staff_shares:
            low, high = LOW_SKILLED.get(company.nace_code[:2], OTHER_ACTIVITY)
            self.staff_shares[key] = (
                self.staff_rng.uniform(low, high),
                self.staff_rng.uniform(*AGED_55_PLUS),
            )
        return self.staff_shares[key]

    def count_staff_reached(self, applications: list[Application]) -> None:
        """Draw the distinct employees each completed trajectory reached, and set the promoter's count at
        completion on most of them (a count of its own, close to the company's)."""
        rng = self.staff_rng
        for application in applications:
            if application.status != ApplicationStatus.COMPLETED:
                continue
            headcount = application.company.staff_headcount
            # Nearly everyone in a small company, a smaller part of a large one.
            total = min(headcount, max(1, round(headcount**0.7 * rng.uniform(0.6, 1.4))))
            low_share, old_share = self.shares(application.company)
            low = min(total, round(total * low_share * rng.uniform(0.8, 1.3)))
            old = min(total, round(total * old_share * rng.uniform(0.8, 1.3)))
            self.reached[id(application)] = (total, low, old)
            if rng.random() < PROMOTER_COUNTED:
                factor = rng.uniform(0.85, 1.1)
                counted = max(1, round(total * factor))
                application.staff_reached = counted
                application.staff_reached_low_skilled = min(counted, round(low * factor))
                application.staff_reached_aged_55_plus = min(counted, round(old * factor))

    # -- learning situations ----------------------------------------------------------------------
    def intake_answers(self, company: Company) -> SituationAnswers:
        rng = self.situation_rng
        barriers = [barrier for barrier, (met, _weight) in BARRIERS.items() if rng.random() < met]
        policy = rng.random() < TRAINING_POLICY[company.size_class]
        low_share, old_share = self.shares(company)
        headcount = company.staff_headcount
        return SituationAnswers(
            has_training_policy=policy,
            has_learning_jobs=rng.random() < LEARNING_JOBS[policy],
            headcount=headcount,
            low_skilled=round(headcount * low_share),
            aged_55_plus=round(headcount * old_share),
            barriers=barriers,
            main_barrier=self.main_barrier(barriers),
            learning_forms=[form for form, used in LEARNING_FORMS.items() if rng.random() < used],
        )

    def main_barrier(self, barriers: list[str]) -> str:
        if not barriers:
            return ""
        return self.situation_rng.choices(barriers, weights=[BARRIERS[barrier][1] for barrier in barriers])[0]

    def closing_answers(self, before: SituationAnswers) -> SituationAnswers:
        """Return the situation at closing: some barriers removed, now and then a new one, more training
        policies and learning forms; the staff changed a little."""
        rng = self.situation_rng
        barriers = [
            barrier
            for barrier in BARRIERS
            if (
                rng.random() >= REMOVED[barrier] if barrier in before.barriers else rng.random() < NEW_BARRIER
            )
        ]
        main = before.main_barrier if before.main_barrier in barriers and rng.random() < 0.8 else None
        policy = rng.random() < (POLICY_KEPT if before.has_training_policy else POLICY_ADOPTED)
        jobs = rng.random() < (LEARNING_JOBS_KEPT if before.has_learning_jobs else LEARNING_JOBS_ADOPTED)
        headcount = max(1, round(before.headcount * rng.uniform(0.94, 1.08)))
        drift = headcount / before.headcount
        return SituationAnswers(
            has_training_policy=policy,
            has_learning_jobs=jobs,
            headcount=headcount,
            low_skilled=min(headcount, round(before.low_skilled * drift * rng.uniform(0.9, 1.1))),
            aged_55_plus=min(headcount, round(before.aged_55_plus * drift * rng.uniform(0.9, 1.1))),
            barriers=barriers,
            main_barrier=main or self.main_barrier(barriers),
            learning_forms=[
                form
                for form in LEARNING_FORMS
                if rng.random() < (FORM_KEPT if form in before.learning_forms else FORM_ADOPTED)
            ],
        )

    def recorder(self, application: Application) -> User | None:
        """Return who logged the baseline: the consultant who did the intake now and then, otherwise who
        logged the intake session (the demo promoter for its own projects, else nobody with a log-in)."""
        referral = application.referral
        if referral is not None and referral.intake_by_id and self.situation_rng.random() < BY_CONSULTANT:
            return referral.intake_by
        return self.session_logger(application)

    def situations(
        self, applications: list[Application], evaluations: dict[int, Evaluation]
    ) -> list[LearningSituation]:
        """Return the baselines of most started trajectories and the situation at closing of each evaluation
        (``evaluations`` by id() of the application); keep the situation at closing of every completed one
        for its follow-up."""
        situations = []
        for application in applications:
            if application.status not in STARTED_STATUSES:
                continue
            before = self.intake_answers(application.company)
            if self.situation_rng.random() < BASELINE_RECORDED:
                by = self.recorder(application)
                baseline = situation_at(
                    application, SituationMoment.INTAKE, before, on=application.started_on, by=by
                )
                baseline._history_user = by
                situations.append(baseline)
            if application.status != ApplicationStatus.COMPLETED:
                continue
            after = self.after[id(application)] = self.closing_answers(before)
            evaluation = evaluations.get(id(application))
            if evaluation is not None:
                day = evaluation.submitted_at.date()
                situations.append(situation_at(application, SituationMoment.CLOSING, after, on=day, by=None))
        return situations

    # -- the closing evaluation ---------------------------------------------------------------------
    def complete_evaluation(self, evaluation: Evaluation) -> None:
        """Add what the closing evaluation asks since the outcomes are measured: transfer and motivation
        (close to the usefulness and the effect on the learning culture), the distinct employees who took
        part and what the company keeps doing."""
        rng = self.evaluation_rng

        def near(score: int) -> int:
            return min(5, max(1, score + rng.choice((-1, 0, 0, 0, 1))))

        evaluation.learning_transfer = near(evaluation.usefulness)
        evaluation.motivation = near(evaluation.learning_culture_effect)
        total, low, old = self.reached[id(evaluation.application)]
        evaluation.staff_participated, evaluation.staff_low_skilled, evaluation.staff_aged_55_plus = (
            total,
            low,
            old,
        )
        evaluation.will_keep_doing = rng.choice(KEEP_DOING)

    # -- questionnaires -----------------------------------------------------------------------------
    def answered_on(self, sent_on: datetime.date, chance: float) -> datetime.date | None:
        """Return the day the company answers an invitation sent on ``sent_on``, or None when it does not
        (or not by the horizon)."""
        rng = self.questionnaire_rng
        answers = rng.random() < chance
        (low, high), _weight = rng.choices(ANSWER_DAYS, weights=[weight for _days, weight in ANSWER_DAYS])[0]
        day = sent_on + datetime.timedelta(days=rng.randint(low, high))
        return day if answers and day <= HORIZON else None

    def questionnaires(
        self, applications: list[Application], evaluations: dict[int, Evaluation]
    ) -> tuple[list[Invitation], list[FollowUp], list[ExitAnswer]]:
        """Return the invitations of the ended trajectories and the follow-ups and exit answers that came."""
        invitations, follow_ups, exits = [], [], []
        for application in applications:
            if application.status not in (ApplicationStatus.COMPLETED, ApplicationStatus.STOPPED):
                continue
            if not application.company.contact_email:
                continue  # nobody to send the link to
            sent_on = max(application.ended_on, QUESTIONNAIRES_FROM)
            if application.status == ApplicationStatus.STOPPED:
                answered_on = self.answered_on(sent_on, EXIT_ANSWERED)
                invitations.append(invitation(application, Questionnaire.EXIT, sent_on, answered_on))
                if answered_on:
                    exits.append(self.exit_answer(application, answered_on))
                continue
            evaluation = evaluations.get(id(application))
            evaluated_on = evaluation.submitted_at.date() if evaluation else None
            invitations.append(invitation(application, Questionnaire.EVALUATION, sent_on, evaluated_on))
            sent_on = max(follow_up_due_on(application.ended_on), QUESTIONNAIRES_FROM)
            if sent_on > HORIZON:
                continue
            answered_on = self.answered_on(sent_on, FOLLOW_UP_ANSWERED[evaluation is not None])
            invitations.append(invitation(application, Questionnaire.FOLLOW_UP, sent_on, answered_on))
            if answered_on:
                follow_ups.append(self.follow_up(application, answered_on))
        return invitations, follow_ups, exits

    def follow_up(self, application: Application, day: datetime.date) -> FollowUp:
        """Return the answers six months on: a training policy mostly lasts, and so does learning where one
        is applied."""
        rng = self.questionnaire_rng
        after = self.after[id(application)]
        applied = after.has_training_policy and rng.random() < 0.9
        continued = rng.random() < (0.85 if applied else 0.6)
        total, _low, _old = self.reached[id(application)]
        learned = min(after.headcount, max(1, round(total * rng.uniform(0.6, 1.6)))) if continued else 0
        return FollowUp(
            application=application,
            training_policy_applied=applied,
            learning_continued=continued,
            employees_learned=learned,
            submitted_at=_answered_at(rng, day),
        )

    def exit_answer(self, application: Application, day: datetime.date) -> ExitAnswer:
        """Return the exit questionnaire's answers: mostly the reason the promoter chose."""
        rng = self.questionnaire_rng
        reason = application.stop_reason
        if rng.random() >= SAME_REASON:
            reason = rng.choice([code for code in StopReason.values if code != reason])
        weights = START_AGAIN[reason]
        return ExitAnswer(
            application=application,
            main_reason=reason,
            would_start_again=rng.choices(list(weights), weights=list(weights.values()))[0],
            what_would_have_helped=WOULD_HAVE_HELPED[reason] if rng.random() < 0.6 else "",
            submitted_at=_answered_at(rng, day),
        )
