from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        # Every model of the app holds what figures are computed from (voorsprong.data_version).
        from voorsprong.data_version import track

        track(self.get_models())

        # participants may not import funding (it is the lower layer): funding joins the workflow here.
        from funding.decision_panel import funding_decision_panel
        from funding.services import (
            aid_decision_note,
            cancel_withdrawn_aid,
            check_de_minimis,
            commit_approved_funding,
            record_approved_aid,
            request_budget_override,
        )
        from participants.hooks import (
            register_approval_step,
            register_budget_override_request,
            register_decision_note,
            register_decision_panel,
            register_eligibility_check,
            register_withdrawal_step,
        )

        register_eligibility_check(check_de_minimis)
        register_approval_step(commit_approved_funding)
        register_budget_override_request(request_budget_override)
        # After the money: the aid is what was committed.
        register_approval_step(record_approved_aid)
        register_withdrawal_step(cancel_withdrawn_aid)
        register_decision_note(aid_decision_note)
        # The declarations and the budget on the officers' work queue (participants.views.work_queue).
        from funding.work_queue import register_sections

        register_sections()
        # The money per source, the budget left and the aid headroom on the officer's decision page.
        register_decision_panel(funding_decision_panel)
