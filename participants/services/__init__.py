"""Every state change of companies and applications; one module per concern."""

from participants.services.application_import import import_applications
from participants.services.capacity import (
    change_capacity_places,
    create_capacity_period,
    free_place_refusal,
    take_place,
)
from participants.services.companies import save_company
from participants.services.evaluations import check_evaluation_token, submit_evaluation
from participants.services.kbo_import import (
    KboImportRefused,
    KboImportResult,
    KboImportStopped,
    import_kbo_extract,
    import_kbo_update,
)
from participants.services.outcomes import (
    SituationAnswers,
    record_baseline,
    situation_refusals,
    submit_exit_answer,
    submit_follow_up,
)
from participants.services.precheck import Verdict, precheck_eligibility, public_reason
from participants.services.questionnaires import check_questionnaire_token, invite, remind
from participants.services.referrals import follow_up_referral, refer_company
from participants.services.sme import EnterpriseFigures, declare_sme_status, sme_totals
from participants.services.workflow import (
    DECIDABLE,
    TRANSITIONS,
    Transition,
    approval_refusals,
    approve_application,
    check_eligibility,
    complete_application,
    create_application,
    eligibility_refusals,
    log_coaching_session,
    reject_application,
    session_refusals,
    staff_reached_refusals,
    stop_application,
    stop_refusals,
    submit_application,
    transitions_from,
    update_application_details,
    withdraw_application,
)

__all__ = [
    "DECIDABLE",
    "TRANSITIONS",
    "EnterpriseFigures",
    "KboImportRefused",
    "KboImportResult",
    "KboImportStopped",
    "SituationAnswers",
    "Transition",
    "Verdict",
    "approval_refusals",
    "approve_application",
    "change_capacity_places",
    "check_eligibility",
    "check_evaluation_token",
    "check_questionnaire_token",
    "complete_application",
    "create_application",
    "create_capacity_period",
    "declare_sme_status",
    "eligibility_refusals",
    "follow_up_referral",
    "free_place_refusal",
    "import_applications",
    "import_kbo_extract",
    "import_kbo_update",
    "invite",
    "log_coaching_session",
    "precheck_eligibility",
    "public_reason",
    "record_baseline",
    "refer_company",
    "reject_application",
    "remind",
    "save_company",
    "session_refusals",
    "situation_refusals",
    "sme_totals",
    "staff_reached_refusals",
    "stop_application",
    "stop_refusals",
    "submit_application",
    "submit_evaluation",
    "submit_exit_answer",
    "submit_follow_up",
    "take_place",
    "transitions_from",
    "update_application_details",
    "withdraw_application",
]
