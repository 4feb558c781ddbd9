from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        # participants may not import funding (it is the lower layer): funding joins the approval here.
        from funding.services import commit_approved_funding, request_budget_override
        from participants.hooks import register_approval_step, register_budget_override_request

        register_approval_step(commit_approved_funding)
        register_budget_override_request(request_budget_override)
