import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from participants.kbo import kbo_number_with_check_digits
from participants.models import Application, ApplicationStatus, CoachingSession, Company, LegalForm, Referral
from trajects.models import CapacityPeriod, Organisation, OrganisationKind, Project, Traject
from voorsprong.models import User

SME = ["micro", "small", "medium"]


def valid_kbo_number(n: int) -> str:
    return kbo_number_with_check_digits(10_000_000 + n)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if extracted:
            user.groups.add(Group.objects.get(name=extracted.value))


class TrajectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Traject
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"traject{n}")
    name = factory.LazyAttribute(lambda o: f"Voorsprong {o.code}")
    start_date = datetime.date(2024, 1, 1)
    allowed_size_classes = SME


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.PROMOTER


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    traject = factory.SubFactory(TrajectFactory)
    name = factory.Sequence(lambda n: f"Project {n}")

    @factory.post_generation
    def organisations(project, create, extracted, **kwargs):
        if extracted:
            project.organisations.set(extracted)


class CapacityPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapacityPeriod

    traject = factory.SubFactory(TrajectFactory)
    start = datetime.date(2025, 1, 1)
    end = datetime.date(2025, 12, 31)
    places = 10


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    kbo_number = factory.Sequence(valid_kbo_number)
    name = factory.Sequence(lambda n: f"Onderneming {n} BV")
    legal_form = LegalForm.BV
    staff_headcount = 20
    turnover = Decimal("3000000.00")
    balance_sheet_total = Decimal("2000000.00")
    postal_code = "9000"
    municipality = "Gent"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    company = factory.SubFactory(CompanyFactory)
    traject = factory.SubFactory(TrajectFactory)
    status = ApplicationStatus.SUBMITTED
    submitted_on = datetime.date(2025, 3, 1)
    decided_on = None
    # As approve_application freezes it: the company's class, once decided and not rejected.
    size_class_at_approval = factory.LazyAttribute(
        lambda application: (
            application.company.size_class
            if application.decided_on and application.status != ApplicationStatus.REJECTED
            else ""
        )
    )


class ApprovedApplicationFactory(ApplicationFactory):
    status = ApplicationStatus.APPROVED
    decided_on = datetime.date(2025, 3, 15)
    capacity_period = factory.SubFactory(CapacityPeriodFactory, traject=factory.SelfAttribute("..traject"))


class CoachingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoachingSession

    application = factory.SubFactory(ApprovedApplicationFactory)
    date = datetime.date(2025, 4, 1)
    hours = Decimal("2.00")
    kind = "intake"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    sector_fund = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.SECTOR_FUND)
    consultant = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    traject = factory.SubFactory(TrajectFactory)
    referred_on = datetime.date(2025, 2, 1)


class CompletedApplicationFactory(ApprovedApplicationFactory):
    status = ApplicationStatus.COMPLETED
    started_on = datetime.date(2025, 4, 1)
    ended_on = datetime.date(2025, 6, 30)


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        # By label, so the imports above stay as they are.
        model = "participants.Evaluation"

    application = factory.SubFactory(CompletedApplicationFactory)
    usefulness = 4
    coach_quality = 4
    learning_culture_effect = 4
    would_recommend = 4


class FundingSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.FundingSource"
        django_get_or_create = ("code",)

    code = "eu"
    name = factory.LazyAttribute(lambda o: o.code)
    is_subsidy = factory.LazyAttribute(lambda o: o.code in ("eu", "flemish"))


class FundingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.FundingRule"

    traject = factory.SubFactory(TrajectFactory)
    default_planned_cost = Decimal("10000.00")


class ApplicationFundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.ApplicationFunding"

    application = factory.SubFactory(ApprovedApplicationFactory)
    source = factory.SubFactory(FundingSourceFactory)
    amount = Decimal("1000.00")


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.Declaration"

    application = factory.SubFactory(
        ApprovedApplicationFactory, status=ApplicationStatus.IN_PROGRESS, started_on=datetime.date(2025, 4, 1)
    )
    period_start = datetime.date(2025, 4, 1)
    period_end = datetime.date(2025, 4, 30)
    amount = Decimal("100.00")
    declared_by = factory.SubFactory(UserFactory)
    declared_on = datetime.date(2025, 5, 2)


class DeclarationShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.DeclarationShare"

    declaration = factory.SubFactory(DeclarationFactory)
    source = factory.SubFactory(FundingSourceFactory)
    amount = Decimal("100.00")


class AidLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.AidLine"

    application = factory.SubFactory(ApprovedApplicationFactory)
    company = factory.SelfAttribute("application.company")
    granted_on = factory.SelfAttribute("application.decided_on")
    amount = Decimal("10000.00")
    basis = "de_minimis"
    legal_basis = "Verordening (EU) 2023/2831 van de Commissie (de-minimissteun)"
    grantor = "Departement Werk en Sociale Economie"


class CompanyLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.CompanyLink"

    controlling_company = factory.SubFactory(CompanyFactory)
    controlled_company = factory.SubFactory(CompanyFactory)
    kind = "voting_rights"


class DeclaredAidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.DeclaredAid"

    application = factory.SubFactory(ApplicationFactory)
    company = factory.SelfAttribute("application.company")
    grantor = "Agentschap Innoveren en Ondernemen"
    granted_on = datetime.date(2024, 6, 1)
    amount = Decimal("50000.00")


class LearningSituationFactory(factory.django.DjangoModelFactory):
    """A company's learning situation: by default its baseline at intake, without barriers or policy."""

    class Meta:
        model = "participants.LearningSituation"

    application = factory.SubFactory(ApprovedApplicationFactory)
    moment = "intake"
    has_training_policy = False
    has_learning_jobs = False
    headcount = 20
    low_skilled = 5
    aged_55_plus = 3
    recorded_on = datetime.date(2025, 4, 1)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.FollowUp"

    application = factory.SubFactory(CompletedApplicationFactory)
    training_policy_applied = True
    learning_continued = True
    employees_learned = 8
